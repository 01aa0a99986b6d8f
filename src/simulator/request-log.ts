/**
 * The record of every request received on a Qlik route, in order of receipt. Tests across the project
 * assert on it ("exactly one deactivate", "no secret reached a tenant host"), so a request is recorded
 * the moment it arrives, before any fault or error can cut it short.
 */
import type { RequestLogEntry } from './types';

/** The log itself; entries are updated in place as their requests complete. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextSeq = 1;

  constructor(private readonly limit: () => number) {}

  /** Records a request on arrival and returns its entry for later updates. */
  start(entry: Omit<RequestLogEntry, 'seq' | 'status' | 'pending'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: this.nextSeq++, ...entry, status: 0, pending: true };
    this.entries.push(full);
    const excess = this.entries.length - this.limit();
    if (excess > 0) this.entries.splice(0, excess);
    return full;
  }

  /** Copies of the entries with `seq` greater than `since` (all by default). */
  list(since = 0): RequestLogEntry[] {
    return this.entries.filter((e) => e.seq > since).map((e) => ({ ...e, headers: { ...e.headers } }));
  }

  /** Empties the log; sequence numbers keep counting so `since` stays meaningful. */
  clear(): void {
    this.entries = [];
  }
}
