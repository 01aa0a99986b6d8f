/**
 * Runs the curl commands that a README documents, as written: each fenced block that follows a
 * `<!-- <prefix>:<name> -->` marker is a command, run by bash after the `setup` block (the variables). The caller swaps
 * in only what differs on a test machine (a port, a tenant). The HTTP status comes from a `.curlrc` of our own, so that
 * the command text itself stays untouched.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The fenced blocks that follow a `<!-- <prefix>:<name> -->` marker, by name, in the order of the file. */
export function markedBlocks(markdownFile: string, prefix: string): Map<string, string> {
  const markdown = readFileSync(markdownFile, 'utf8');
  const marker = new RegExp(`<!-- ${prefix}:([\\w-]+) -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g');
  return new Map([...markdown.matchAll(marker)].map((match) => [match[1]!, match[2]!]));
}

/** What a documented command answered: the HTTP status and the parsed JSON body. */
export interface CurlAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the server's choosing, asserted on by shape
  body: any;
}

/** Fails with a clear message when curl is missing: these tests are the documentation's proof and must not skip. */
export function requireCurl(): void {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('curl is not installed: the HTTP API tests run the README commands with it (apt-get install curl)');
  }
}

/** A runner of one README's marked commands; `close()` removes its `.curlrc`. */
export function documentedCurl(blocks: Map<string, string>, swaps: Array<[string, string]>) {
  const curlHome = mkdtempSync(path.join(tmpdir(), 'documented-curl-'));
  // The status on a line of its own after the body: curl reads $CURL_HOME/.curlrc before its arguments.
  writeFileSync(path.join(curlHome, '.curlrc'), 'write-out = "\\n%{http_code}"\n');
  const used = new Set<string>();

  const block = (name: string): string => {
    const text = blocks.get(name);
    if (text === undefined) throw new Error(`the README has no block marked ${name}`);
    used.add(name);
    return text;
  };

  /** The script that runs `name`: the setup block, then the command, with the swaps applied. */
  const script = (name: string, extraSwaps: Array<[string, string]>, edit?: (command: string) => string): string => {
    let text = `${block('setup')}\n${edit ? edit(block(name)) : block(name)}`;
    // Every command needs the common swaps (the server's address): one that is gone means the README changed.
    for (const [from, to] of swaps) {
      if (!text.includes(from)) throw new Error(`block ${name}: ${JSON.stringify(from)} is not in it any more`);
      text = text.split(from).join(to);
    }
    for (const [from, to] of extraSwaps) text = text.split(from).join(to);
    return text;
  };

  return {
    /** Runs the block `name` (after `setup`), with `extraSwaps` where they occur (e.g. the tenant) and an optional edit. */
    run(
      name: string,
      extraSwaps: Array<[string, string]> = [],
      edit?: (command: string) => string,
    ): Promise<CurlAnswer> {
      const text = script(name, extraSwaps, edit);
      return new Promise((resolve, reject) => {
        execFile(
          'bash',
          ['-euo', 'pipefail', '-c', text],
          { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CURL_HOME: curlHome }, timeout: 60_000 },
          (error, stdout, stderr) => {
            if (error) return reject(new Error(`block ${name} failed: ${error.message}\n${stderr}`));
            const cut = stdout.lastIndexOf('\n');
            const status = Number(stdout.slice(cut + 1));
            const raw = stdout.slice(0, cut).trim();
            try {
              resolve({ status, body: raw ? JSON.parse(raw) : undefined });
            } catch {
              reject(new Error(`block ${name} answered ${status} with a body that is not JSON: ${raw.slice(0, 500)}`));
            }
          },
        );
      });
    },
    /** The names of the blocks run so far (the setup block included). */
    used: (): ReadonlySet<string> => used,
    close: () => rmSync(curlHome, { recursive: true, force: true }),
  };
}
