/**
 * The lifecycle case from the field: a guest frozen while the host still believed it ready (reported
 * against a sandbox runtime whose exec had no timeout).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expectAlive, holds } from '../../harness/assert/index.ts';
import { ALIVE } from '../../harness/assert/limits.ts';
import { AssertionFailure } from '../../harness/contract/assertion.ts';
import { GuestNoAnswerError } from '../../harness/contract/exec-errors.ts';
import type { ExecResult, Sandbox } from '../../harness/contract/sandbox.ts';
import { FIELD_LIFECYCLE } from './limits.ts';

type ExecOutcome = { answered: ExecResult } | { failed: unknown; afterMs: number };

/**
 * frozen-guest-detected: with the VM frozen in its VMM, the liveness poll reports it not alive within
 * its window, naming what it last saw, and an exec sent meanwhile fails by its own timeout with a
 * GuestNoAnswerError, never a hang; once let go, the guest answers again.
 */
export async function checkFrozenGuestDetected(sandbox: Sandbox): Promise<void> {
  await expectAlive(sandbox);
  await sandbox.freezeGuest(true);
  try {
    const { frozenExecTimeoutSeconds, frozenExecMaxWaitMs, livenessSlackMs } = FIELD_LIFECYCLE;
    const sentAt = Date.now();
    const exec: Promise<ExecOutcome> = sandbox.exec('echo answered', { timeoutSeconds: frozenExecTimeoutSeconds }).then(
      (answered) => ({ answered }),
      (failed: unknown) => ({ failed, afterMs: Date.now() - sentAt }),
    );

    const pollStartedAt = Date.now();
    const verdict = await expectAlive(sandbox).then(() => undefined, (error: Error) => error);
    const pollMs = Date.now() - pollStartedAt;
    await holds('frozen-guest-detected/reported-not-alive', () => {
      if (!verdict) throw new AssertionFailure(`the liveness poll called ${sandbox.name} alive while its VM was frozen`);
      if (pollMs > ALIVE.windowMs + livenessSlackMs) throw new AssertionFailure(`the liveness poll took ${pollMs} ms to report the frozen guest, past its ${ALIVE.windowMs} ms window`);
      if (!/last value: .*did not answer|last error: /.test(verdict.message)) throw new AssertionFailure(`the liveness poll's verdict names nothing it last saw: ${verdict.message}`);
    });

    const outcome = await Promise.race([exec, sleep(Math.max(0, sentAt + frozenExecMaxWaitMs - Date.now())).then(() => 'hang' as const)]);
    await holds('frozen-guest-detected/exec-fails-by-its-timeout', () => {
      if (outcome === 'hang') throw new AssertionFailure(`an exec with a ${frozenExecTimeoutSeconds} s timeout sent to the frozen guest neither answered nor failed within ${frozenExecMaxWaitMs} ms: it hangs`);
      if ('answered' in outcome) throw new AssertionFailure(`an exec answered while the guest was frozen (exit ${outcome.answered.exitCode}): the VM was not frozen`);
      if (!(outcome.failed instanceof GuestNoAnswerError)) {
        throw new AssertionFailure(`the exec sent to the frozen guest failed with ${String(outcome.failed)}, not a GuestNoAnswerError`);
      }
      if (outcome.afterMs < frozenExecTimeoutSeconds * 1000) throw new AssertionFailure(`the exec sent to the frozen guest failed after ${outcome.afterMs} ms, before its own ${frozenExecTimeoutSeconds} s timeout`);
    });
  } finally {
    await sandbox.freezeGuest(false);
  }
  await holds('frozen-guest-detected/alive-after-thaw', () => expectAlive(sandbox));
}
