/**
 * Waiting for a condition with a deadline that holds even when the probe itself hangs: the case
 * catalogue phrases liveness and reclaim as "within N s", and a stuck exec must not stretch N.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { FAILURE_MESSAGE, POLL } from '../config/constants.ts';
import { AssertionFailure } from '../contract/assertion.ts';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Host-side limit for one probe call; one that runs longer counts as a failed attempt and polling goes on. */
  attemptTimeoutMs?: number;
  /** The condition, as the failure message should name it. */
  what: string;
}

type Attempt<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'pending' };

interface PollHistory<T> {
  lastValue: { value: T } | undefined;
  lastError: { error: unknown } | undefined;
  /** Attempts cut off by attemptTimeoutMs, as opposed to the overall deadline. */
  abandonedAttempts: number;
  finalAttemptPending: boolean;
}

/** Timers fire with millisecond granularity; a sliver below that cannot hold a real attempt. */
const TIMER_GRANULARITY_MS = 1;

export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, opts: PollOptions): Promise<T> {
  if (!(opts.timeoutMs >= 0 && Number.isFinite(opts.timeoutMs))) {
    throw new RangeError(`${opts.what}: poll timeout must be a finite number of ms (got ${opts.timeoutMs})`);
  }
  const intervalMs = opts.intervalMs ?? POLL.intervalMs;
  const attemptLimitMs = opts.attemptTimeoutMs ?? Number.POSITIVE_INFINITY;
  const deadline = performance.now() + opts.timeoutMs;
  const history: PollHistory<T> = { lastValue: undefined, lastError: undefined, abandonedAttempts: 0, finalAttemptPending: false };
  for (;;) {
    const untilDeadlineMs = Math.max(0, deadline - performance.now());
    const cutByAttemptLimit = attemptLimitMs < untilDeadlineMs;
    const outcome = await attempt(probe, Math.min(attemptLimitMs, untilDeadlineMs));
    history.finalAttemptPending = outcome.kind === 'pending';
    if (outcome.kind === 'value') {
      if (done(outcome.value)) return outcome.value;
      history.lastValue = outcome;
    } else if (outcome.kind === 'error') {
      history.lastError = outcome;
    } else if (cutByAttemptLimit) {
      history.abandonedAttempts += 1;
    }
    const remainingMs = deadline - performance.now();
    if (remainingMs < TIMER_GRANULARITY_MS) throw new AssertionFailure(notReachedMessage(opts, history));
    await sleep(Math.min(intervalMs, remainingMs));
  }
}

/** Never rejects: a probe abandoned at its time limit may still fail later, and nobody is listening then. */
async function attempt<T>(probe: () => Promise<T>, limitMs: number): Promise<Attempt<T>> {
  let timer: NodeJS.Timeout | undefined;
  const call = Promise.resolve()
    .then(probe)
    .then(
      (value): Attempt<T> => ({ kind: 'value', value }),
      (error: unknown): Attempt<T> => ({ kind: 'error', error }),
    );
  const expiry = new Promise<Attempt<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'pending' }), limitMs);
  });
  try {
    return await Promise.race([call, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

function notReachedMessage<T>(opts: PollOptions, history: PollHistory<T>): string {
  const parts = [`${opts.what}: not reached within ${seconds(opts.timeoutMs)}`];
  parts.push(`last value: ${history.lastValue ? preview(history.lastValue.value) : 'none'}`);
  if (history.lastError) parts.push(`last error: ${errorMessage(history.lastError.error)}`);
  if (history.abandonedAttempts > 0) {
    parts.push(`${history.abandonedAttempts} probe(s) did not answer within ${seconds(opts.attemptTimeoutMs ?? opts.timeoutMs)}`);
  }
  if (history.finalAttemptPending) parts.push('the last probe was still running at the deadline');
  return parts.join('; ');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function preview(value: unknown): string {
  const text = Buffer.isBuffer(value)
    ? JSON.stringify(value.toString('utf8'))
    : inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: FAILURE_MESSAGE.previewChars });
  return text.length > FAILURE_MESSAGE.previewChars ? `${text.slice(0, FAILURE_MESSAGE.previewChars)}…` : text;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
