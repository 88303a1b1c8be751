/**
 * The harness end of one adapter process: a line-framed JSON-RPC client of our own. It is small
 * enough to read whole, validates every message against the schema on its way in and out, and turns
 * every way an adapter can break — garbage, a message the schema refuses, an unknown id, a crash, a
 * hang past a deadline — into one failure that carries the adapter's stderr tail and kills it, so the
 * case it was serving fails and the next case gets a fresh adapter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ADAPTER } from './limits.ts';
import { type Request, type Response } from './protocol.ts';
import { knownMethod, schemaProblem } from './schema.ts';
import { AdapterProtocolError, AdapterSchemaError, AdapterTimeoutError, errorFromWire } from './wire.ts';
import type { AdapterCommand } from './adapter-command.ts';

/** How `runtime check` watches an adapter; a run's adapter takes the defaults. */
export interface AdapterWatch {
  /**
   * A result the schema refuses, or a deadline passed, fails that one request and the adapter goes on
   * (a late answer is dropped): the check wants every finding, not the first.
   */
  tolerant?: boolean;
  /** Each protocol line as sent and as received, for the exchange a finding quotes. */
  onLine?(direction: 'sent' | 'received', line: string): void;
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export class AdapterProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stderrTail = '';
  private failure: AdapterProtocolError | undefined;
  private readonly exited: Promise<void>;
  /** Ids whose deadline passed in tolerant mode: their late answers are dropped. */
  private readonly abandoned = new Set<number>();
  private exitedOnItsOwn = true;

  constructor(
    private readonly command: AdapterCommand,
    env: NodeJS.ProcessEnv = process.env,
    private readonly watch: AdapterWatch = {},
  ) {
    // Its own process group: killing the adapter takes the VMMs it started along.
    this.child = spawn(command.file, command.args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.once('error', (error) => this.fail(`could not be started (${error.message})`));
    this.child.once('exit', (code, signal) => this.fail(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    this.child.stdin!.on('error', () => {}); // a dead adapter's closed pipe is reported by its exit
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-ADAPTER.stderrTailBytes);
    });
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.receive(line));
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Sends one request; the answer's result is schema-checked. `deadlineMs` bounds a call that must not hang. */
  request<T>(method: string, params: Record<string, unknown>, deadlineMs?: number): Promise<T> {
    const problem = schemaProblem(`params.${method}`, params);
    if (problem) return Promise.reject(new Error(`harness bug: request does not fit the protocol: ${problem}`));
    return this.send<T>(method, params, deadlineMs);
  }

  /** A request the schema does not define (an unknown method, a wrong sandbox): how `runtime check` sees the adapter's error shapes. */
  probe(method: string, params: Record<string, unknown>, deadlineMs: number): Promise<unknown> {
    return this.send(method, params, deadlineMs);
  }

  private send<T>(method: string, params: Record<string, unknown>, deadlineMs: number | undefined): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const message: Request = { jsonrpc: '2.0', id, method, params };
    return new Promise<T>((resolve, reject) => {
      const timer = deadlineMs === undefined ? undefined : setTimeout(() => this.deadlinePassed(id, `did not answer ${method} within ${deadlineMs / 1000} s`), deadlineMs);
      this.pending.set(id, { method, resolve: resolve as Pending['resolve'], reject, timer });
      const line = JSON.stringify(message);
      this.watch.onLine?.('sent', line);
      this.child.stdin!.write(`${line}\n`);
    });
  }

  private deadlinePassed(id: number, reason: string): void {
    const waiting = this.pending.get(id);
    if (!this.watch.tolerant || !waiting) return this.fail(reason);
    this.pending.delete(id);
    this.abandoned.add(id);
    waiting.reject(new AdapterTimeoutError(`runtime adapter ${this.command.label} ${reason}`));
  }

  /**
   * Closes stdin (the adapter's cue to tear down and exit), then kills what is still there after the
   * grace. Says whether the adapter exited on its own within the grace.
   */
  async close(): Promise<boolean> {
    this.child.stdin!.end();
    const grace = setTimeout(() => {
      this.exitedOnItsOwn = false;
      this.kill();
    }, ADAPTER.exitGraceMs);
    await this.exited;
    clearTimeout(grace);
    this.failure ??= new AdapterProtocolError(`adapter ${this.command.label} was closed`);
    return this.exitedOnItsOwn;
  }

  private receive(line: string): void {
    if (this.failure || line.trim() === '') return;
    this.watch.onLine?.('received', line);
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return this.fail(`wrote a line that is no JSON on stdout: ${JSON.stringify(line.slice(0, ADAPTER.quotedLineChars))}`);
    }
    const envelope = schemaProblem('response', message);
    if (envelope) return this.fail(`wrote a message that is no protocol response: ${envelope}`);
    const response = message as Response;
    if (response.id !== null && this.abandoned.delete(response.id)) return;
    const waiting = response.id === null ? undefined : this.pending.get(response.id);
    if (!waiting) return this.fail(`answered id ${response.id}, which no request waits for`);
    this.pending.delete(response.id!);
    clearTimeout(waiting.timer);
    if ('error' in response) return waiting.reject(errorFromWire(response.error, waiting.method));
    const problem = knownMethod(waiting.method) ? schemaProblem(`result.${waiting.method}`, response.result) : undefined;
    if (problem && this.watch.tolerant) return waiting.reject(new AdapterSchemaError(`runtime adapter ${this.command.label} answered ${waiting.method} with a result the protocol refuses: ${problem}`));
    if (problem) return this.fail(`answered ${waiting.method} with a result the protocol refuses: ${problem}`, waiting);
    waiting.resolve(response.result);
  }

  private fail(reason: string, alsoReject?: Pending): void {
    if (this.failure) return;
    // The stderr the adapter wrote just before it died may still be in the pipe: give it a moment.
    const tail = () => (this.stderrTail.trim() ? `; its stderr ends:\n${this.stderrTail.trimEnd()}` : '; it wrote nothing on stderr');
    this.failure = new AdapterProtocolError(`runtime adapter ${this.command.label} ${reason}`);
    this.kill();
    const waiting = [...this.pending.values(), ...(alsoReject ? [alsoReject] : [])];
    this.pending.clear();
    void Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 200))]).then(() => {
      this.failure!.message = `runtime adapter ${this.command.label} ${reason}${tail()}`;
      for (const { reject, timer } of waiting) {
        clearTimeout(timer);
        reject(this.failure!);
      }
    });
  }

  /** The whole group, even after the adapter itself exited: what it started may still be there. */
  private kill(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}
