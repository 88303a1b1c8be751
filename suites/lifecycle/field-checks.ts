/**
 * The lifecycle cases from the field: a guest frozen while the host still believed it ready (reported
 * against a sandbox runtime whose exec had no timeout), and the VMM's own memory overhead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execOk, expectAlive, expectAtMost, expectOverheadWithinBound, holds } from '../../harness/assert/index.ts';
import { expect } from 'vitest';
import { ALIVE } from '../../harness/assert/limits.ts';
import { BALLOON } from '../balloon/limits.ts';
import { GuestNoAnswerError } from '../../harness/contract/exec-errors.ts';
import type { ExecResult, Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import { booted } from '../../harness/vitest/vm-test.ts';
import { FIELD_LIFECYCLE } from './limits.ts';

const MIB = 1024 * 1024;

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
    if (!verdict) throw new Error(`the liveness poll called ${sandbox.name} alive while its VM was frozen`);
    if (pollMs > ALIVE.windowMs + livenessSlackMs) throw new Error(`the liveness poll took ${pollMs} ms to report the frozen guest, past its ${ALIVE.windowMs} ms window`);
    if (!/last value: .*did not answer|last error: /.test(verdict.message)) throw new Error(`the liveness poll's verdict names nothing it last saw: ${verdict.message}`);

    const outcome = await Promise.race([exec, sleep(Math.max(0, sentAt + frozenExecMaxWaitMs - Date.now())).then(() => 'hang' as const)]);
    if (outcome === 'hang') throw new Error(`an exec with a ${frozenExecTimeoutSeconds} s timeout sent to the frozen guest neither answered nor failed within ${frozenExecMaxWaitMs} ms: it hangs`);
    if ('answered' in outcome) throw new Error(`an exec answered while the guest was frozen (exit ${outcome.answered.exitCode}): the VM was not frozen`);
    if (!(outcome.failed instanceof GuestNoAnswerError)) {
      throw new Error(`the exec sent to the frozen guest failed with ${String(outcome.failed)}, not a GuestNoAnswerError`);
    }
    if (outcome.afterMs < frozenExecTimeoutSeconds * 1000) throw new Error(`the exec sent to the frozen guest failed after ${outcome.afterMs} ms, before its own ${frozenExecTimeoutSeconds} s timeout`);
  } finally {
    await sandbox.freezeGuest(false);
  }
  await expectAlive(sandbox);
}

export const overheadSpec: Partial<SandboxSpec> = { ...booted, balloon: {} };

/**
 * vmm-overhead-bounded: through a boot (stop, start), a burst of execs and a balloon cycle, the VMM's own
 * memory (its resident memory minus the guest RAM it holds), as the runtime watched it, stays within
 * the bound for the accelerator, looked at no more than 250 ms apart. Returns the peak in MiB.
 */
export async function checkVmmOverheadBounded(sandbox: Sandbox, recorder: CaseRecorder): Promise<number> {
  await sandbox.stop();
  await sandbox.start();
  await Promise.all(Array.from({ length: FIELD_LIFECYCLE.overheadExecBurst }, (_, id) => execOk(sandbox, `echo ${id}`, { what: `exec ${id} of the burst` })));
  const balloon = sandbox.balloon()!;
  await balloon.connect();
  try {
    await balloon.inflate(BALLOON.inflateTargetMiB);
    await balloon.deflate(BALLOON.memoryMiB);
  } finally {
    await balloon.close();
  }
  const watch = await sandbox.vmmOverhead();
  recorder.series('VMM overhead', 'MiB', watch.points.map((point) => ({ atMs: point.atMs, value: point.bytes / MIB })));
  recorder.metric('VMM overhead longest look gap', watch.longestGapMs, 'ms');
  expect(watch.samples, 'looks the runtime took at the VMM\'s own memory').toBeGreaterThan(0);
  await holds('vmm-overhead-bounded/looked-every-250ms', () =>
    expectAtMost(watch.longestGapMs, FIELD_LIFECYCLE.overheadLookEveryMs, `the longest time between two of the runtime's looks at the VMM's memory (${watch.samples} looks)`, 'ms'),
  );
  // The peak itself is recorded for every VM of every case by the vm fixture, under one metric name.
  return holds('vmm-overhead-bounded/peak-within-bound', () => expectOverheadWithinBound(watch, sandbox.accelerator, sandbox.name));
}
