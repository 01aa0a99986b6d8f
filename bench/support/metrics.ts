/** Reads a worker's Prometheus endpoint (`OFFBOARD_METRICS_ADDRESS`): the SDK's metrics and the product's own. */
import { request } from 'undici';

/** One sample: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for counters, gauges and histogram counts). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of `http://<address>/metrics`, or undefined when the endpoint does not answer. */
export async function scrapeMetrics(address: string): Promise<Sample[] | undefined> {
  try {
    const res = await request(`http://${address}/metrics`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const text = await res.body.text();
    return res.statusCode === 200 ? parsePrometheus(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
export function total(
  samples: Sample[] | undefined,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = (samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((acc, s) => acc + s.value, 0);
}
