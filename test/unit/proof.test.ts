/**
 * A fault test proves a claim only when that named claim is the one that failed. These are the
 * proofs that must not pass: a check that passes, one that stops at a timeout or a failed create
 * before any claim, and one where another claim failed (a mis-named proof).
 */
import { describe, expect, it } from 'vitest';
import { holds } from '../../harness/assert/holds.ts';
import { expectWithin } from '../../harness/assert/tolerance.ts';
import { pollUntil } from '../../harness/wait/poll.ts';
import { failedAssertionOf } from '../../harness/contract/assertion.ts';
import { GuestNoAnswerError } from '../../harness/contract/exec-errors.ts';
import { SandboxCreateError } from '../../harness/contract/create-error.ts';
import { expectRedAt, NotProvenError } from '../../harness/vitest/proof.ts';

/** A check with two named claims, the second failing; what came before them can be made to fail instead. */
async function twoClaimCheck(before: () => Promise<void> = async () => {}): Promise<void> {
  await before();
  await holds('demo-case/first-claim', () => expect(1, 'one is one').toBe(1));
  await holds('demo-case/second-claim', () => expectWithin(300, 0, 256, 'memory', 'MiB'));
}

describe('holds', () => {
  it('names a failed expect, a failed bound and a missed deadline after its claim', async () => {
    const failures = await Promise.all([
      holds('demo-case/an-expect', () => expect(2, 'two').toBe(3)).catch((error: unknown) => error),
      holds('demo-case/a-bound', () => expectWithin(9, 0, 1, 'a number')).catch((error: unknown) => error),
      holds('demo-case/a-deadline', () => pollUntil(async () => 0, (value) => value > 0, { timeoutMs: 5, intervalMs: 1, what: 'never' })).catch((error: unknown) => error),
    ]);
    expect(failures.map(failedAssertionOf)).toEqual(['demo-case/an-expect', 'demo-case/a-bound', 'demo-case/a-deadline']);
    expect((failures[1] as Error).message).toBe('assertion demo-case/a-bound failed: a number: expected 0–1, saw 9');
  });

  it('leaves what could not look unnamed: no answer, a failed create, a plain error', async () => {
    for (const cause of [new GuestNoAnswerError('no reply'), new SandboxCreateError('no VM', []), new Error('command exited 1')]) {
      const failure = await holds('demo-case/claim', () => Promise.reject(cause)).catch((error: unknown) => error);
      expect(failure).toBe(cause);
      expect(failedAssertionOf(failure)).toBeUndefined();
    }
  });

  it('keeps the innermost claim\'s name', async () => {
    const failure = await holds('demo-case/outer', () => holds('demo-case/inner', () => expect(1).toBe(2))).catch((error: unknown) => error);
    expect(failedAssertionOf(failure)).toBe('demo-case/inner');
  });

  it('refuses an id that is not <case>/<what>', async () => {
    await expect(holds('Not An Id/x' as 'a/b', () => undefined)).rejects.toThrow(/not an assertion id/);
  });
});

describe('expectRedAt', () => {
  it('passes when the named claim is the one that failed', async () => {
    await expectRedAt(twoClaimCheck(), 'demo-case/second-claim');
  });

  it('fails a mis-named proof: another claim failed', async () => {
    await expect(expectRedAt(twoClaimCheck(), 'demo-case/first-claim')).rejects.toThrow(
      new NotProvenError('not proven: demo-case/second-claim failed, not demo-case/first-claim (AssertionError: assertion demo-case/second-claim failed: memory: expected 0–256 MiB, saw 300 MiB)'),
    );
  });

  it('fails a proof whose check passed', async () => {
    await expect(expectRedAt(Promise.resolve(), 'demo-case/second-claim')).rejects.toThrow(/not proven: demo-case\/second-claim held on the broken VM/);
  });

  it('fails a proof that stopped at a timeout, a failed create or a precondition', async () => {
    const stops = [
      () => Promise.reject(new GuestNoAnswerError('no reply to request 7 within 16000 ms')),
      () => Promise.reject(new SandboxCreateError('the VM never became ready', [])),
      () => expect(0, 'the precondition').toBe(1),
    ];
    for (const stop of stops) {
      await expect(expectRedAt(twoClaimCheck(async () => stop()), 'demo-case/second-claim')).rejects.toThrow(/not proven: the check stopped before any named claim failed/);
    }
  });
});
