/**
 * One `runtime check` conversation with an adapter: each step runs, whatever the steps before it
 * found, and ends in one finding. A call that fails is classified (conformance-findings.ts); a plain
 * Error a step throws is a semantics failure about the call it made last.
 */
import type { AdapterProcess } from './adapter-process.ts';
import { classify, StepFailure, type Finding, type Transcript } from './conformance-findings.ts';

/** A call the runtime has no reason to take long over; create and the waits name their own. */
const CALL_DEADLINE_MS = 60_000;

export class CheckSession {
  readonly findings: Finding[] = [];
  private lastCall: number | undefined;
  /** The step in which the adapter died, so the steps after it say why they could not run. */
  private diedAt: string | undefined;

  constructor(
    readonly process: AdapterProcess,
    private readonly transcript: Transcript,
  ) {}

  async call<T>(method: string, params: Record<string, unknown>, deadlineMs = CALL_DEADLINE_MS): Promise<T> {
    const pending = this.process.request<T>(method, params, deadlineMs);
    const id = this.transcript.lastSentId;
    this.lastCall = id;
    try {
      return await pending;
    } catch (error) {
      throw classify(error, this.transcript, id, this.process.alive);
    }
  }

  /**
   * Sends a request the schema does not allow (an unknown method, a missing param) and says how the
   * adapter answered: the error's code, or undefined when it answered a result.
   */
  async probe(method: string, params: Record<string, unknown>): Promise<{ code: number | undefined; exchange: string[] | undefined }> {
    const pending = this.process.probe(method, params, CALL_DEADLINE_MS);
    const id = this.transcript.lastSentId;
    this.lastCall = id;
    try {
      await pending;
    } catch (error) {
      const code = this.transcript.errorCode(id);
      if (code === undefined) throw classify(error, this.transcript, id, this.process.alive);
      return { code, exchange: this.transcript.exchange(id) };
    }
    return { code: undefined, exchange: this.transcript.exchange(id) };
  }

  lastExchange(): string[] | undefined {
    return this.transcript.exchange(this.lastCall);
  }

  /** Runs one step; `run` returns what the passing finding says, or undefined when it recorded its own (a warning). */
  async step(step: string, run: () => Promise<string | undefined>): Promise<boolean> {
    if (this.diedAt !== undefined) {
      this.findings.push({ step, verdict: 'fail', kind: 'protocol', detail: `not run: the adapter died in step "${this.diedAt}"` });
      return false;
    }
    try {
      const detail = await run();
      if (detail !== undefined) this.findings.push({ step, verdict: 'ok', detail });
      return true;
    } catch (error) {
      const failure = error instanceof StepFailure ? error : new StepFailure('semantics', (error as Error).message, this.lastExchange());
      this.findings.push({ step, verdict: 'fail', kind: failure.kind, detail: failure.message, ...(failure.exchange && { exchange: failure.exchange }) });
      if (!this.process.alive) this.diedAt = step;
      return false;
    }
  }

  /** A step that found nothing that fails a run, but something the author should fix. */
  warn(step: string, detail: string, exchange?: string[]): void {
    this.findings.push({ step, verdict: 'warn', detail, ...(exchange && { exchange }) });
  }

  pass(step: string, detail: string): void {
    this.findings.push({ step, verdict: 'ok', detail });
  }
}

/** Throws the semantics failure `message` unless `condition` holds. */
export function demand(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
