/** What every verb gets: output helpers, the environment, and a Temporal client connected on first use. */
import { type ConnectedClient, connectClient, type Env, taskQueueFrom, webUiLink } from '../connection';
import type { CliIo } from './io';

export class Context {
  readonly env: Env;
  private connected?: Promise<ConnectedClient>;

  constructor(
    readonly io: CliIo,
    /** `--json`: machine-readable output only on stdout. */
    readonly json: boolean,
  ) {
    this.env = io.env ?? process.env;
  }

  /** Writes one line to stdout. */
  out(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** Writes one line to stderr. */
  err(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** True when a person can answer a question (stdin is a terminal). */
  get interactive(): boolean {
    return this.io.stdin?.isTTY === true;
  }

  /** Asks `question` on stderr and reads one line of answer; undefined without a terminal or at end of input. */
  async ask(question: string): Promise<string | undefined> {
    if (!this.interactive) return undefined;
    this.io.stderr.write(question);
    return this.io.stdin!.readLine();
  }

  /** Writes `value` as pretty JSON to stdout. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  get taskQueue(): string {
    return taskQueueFrom(this.env);
  }

  /** The Temporal address the CLI connects to (for error messages). */
  get address(): string {
    return this.env.TEMPORAL_ADDRESS ?? 'localhost:7233 (or TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE)';
  }

  /** Connects once, on first use: verbs that refuse their input never touch the network. */
  connection(): Promise<ConnectedClient> {
    this.connected ??= connectClient(this.env);
    return this.connected;
  }

  async uiLink(workflowId: string): Promise<string> {
    const { namespace } = await this.connection();
    return webUiLink(workflowId, { namespace, env: this.env });
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    const connected = await this.connected.catch(() => undefined);
    await connected?.close();
  }
}
