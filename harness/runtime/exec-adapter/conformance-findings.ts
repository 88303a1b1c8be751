/**
 * What `runtime check` found, and the exchange that showed it. Every step ends in one finding; a
 * failure says its kind (the adapter lacks the method, its answer breaks the schema, it answers but
 * the runtime does the wrong thing, it does not answer in time, or it broke the protocol outright) and
 * quotes the request and the answer it is about, so an adapter's author sees the evidence, not a verdict.
 */
import { ERROR_CODES } from './protocol.ts';
import { AdapterSchemaError, AdapterTimeoutError } from './wire.ts';

export type FailureKind = 'missing method' | 'schema' | 'semantics' | 'timeout' | 'protocol';

export interface Finding {
  step: string;
  verdict: 'ok' | 'fail' | 'warn';
  kind?: FailureKind;
  detail: string;
  /** The request and the answer the finding is about, each clipped. */
  exchange?: string[];
}

/** A step's failure on its way to the finding. */
export class StepFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly exchange?: string[],
  ) {
    super(message);
  }
}

/** A quoted protocol line is clipped: a base64 output or a status can run to kilobytes. */
const QUOTED_CHARS = 300;

interface Line {
  id: number | undefined;
  text: string;
  errorCode?: number;
}

/** Every line of one adapter's conversation, by id, for the exchange a finding quotes. */
export class Transcript {
  private readonly sent = new Map<number, Line>();
  private readonly received = new Map<number, Line>();
  private last: number | undefined;

  readonly record = (direction: 'sent' | 'received', text: string): void => {
    const line = parse(text);
    if (line.id === undefined) return;
    if (direction === 'sent') {
      this.sent.set(line.id, line);
      this.last = line.id;
    } else this.received.set(line.id, line);
  };

  /** The id of the request sent last: a request is written before its promise is handed back. */
  get lastSentId(): number | undefined {
    return this.last;
  }

  exchange(id: number | undefined): string[] | undefined {
    if (id === undefined) return undefined;
    const request = this.sent.get(id);
    const answer = this.received.get(id);
    return [request && `→ ${clip(request.text)}`, answer ? `← ${clip(answer.text)}` : '← (no answer)'].filter((line): line is string => line !== undefined);
  }

  errorCode(id: number | undefined): number | undefined {
    return id === undefined ? undefined : this.received.get(id)?.errorCode;
  }
}

function parse(text: string): Line {
  try {
    const message = JSON.parse(text) as { id?: unknown; error?: { code?: unknown } };
    return {
      id: typeof message.id === 'number' ? message.id : undefined,
      text,
      ...(typeof message.error?.code === 'number' && { errorCode: message.error.code }),
    };
  } catch {
    return { id: undefined, text };
  }
}

function clip(text: string): string {
  return text.length <= QUOTED_CHARS ? text : `${text.slice(0, QUOTED_CHARS)}… (${text.length} chars)`;
}

/** What kind of failure a rejected request is, told by the answer (or its absence). */
export function classify(error: unknown, transcript: Transcript, id: number | undefined, alive: boolean): StepFailure {
  const message = (error as Error).message;
  const exchange = transcript.exchange(id);
  if (error instanceof AdapterTimeoutError) return new StepFailure('timeout', message, exchange);
  if (error instanceof AdapterSchemaError) return new StepFailure('schema', message, exchange);
  if (!alive) return new StepFailure('protocol', message, exchange);
  if (transcript.errorCode(id) === ERROR_CODES.methodNotFound) return new StepFailure('missing method', message, exchange);
  // The adapter answered an error where the step expected the operation to work.
  return new StepFailure('semantics', message, exchange);
}

const VERDICT_LABEL = { ok: 'ok  ', fail: 'FAIL', warn: 'WARN' } as const;

/** One line a finding (and the exchange under it, indented), as `runtime check` prints them. */
export function formatFinding({ step, verdict, kind, detail, exchange }: Finding): string {
  const head = `${VERDICT_LABEL[verdict]} ${kind ? `[${kind}] ` : ''}${step}: ${detail}`;
  return [head, ...(exchange ?? []).map((line) => `       ${line}`)].join('\n');
}
