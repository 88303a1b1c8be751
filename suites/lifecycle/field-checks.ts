/**
 * The lifecycle cases from the field: a guest frozen while the host still believed it ready (reported
 * against a sandbox runtime whose exec had no timeout), and the VMM's own memory overhead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execOk, expectAlive, expectAtMost } from '../../harness/assert/index.ts';
import { ALIVE } from '../../harness/assert/limits.ts';
import { BALLOON } from '../balloon/limits.ts';
import { GuestNoAnswerError } from '../../harness/contract/exec-errors.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { ExecResult, Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { CaseRecorder, SeriesPoint } from '../../harness/vitest/case-recorder.ts';
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

/** Looks at the VMM's own memory every `everyMs` while it lives; a look while no VMM runs (a stop) counts as a look. */
class OverheadSampler {
  readonly points: SeriesPoint[] = [];
  /** The longest time between two looks, in ms. */
  longestGapMs = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly recorder: CaseRecorder,
    everyMs: number,
  ) {
    this.done = this.loop(everyMs);
  }

  private async loop(everyMs: number): Promise<void> {
    const startedAt = performance.now();
    let lastLookAt = startedAt;
    while (this.running) {
      const lookAt = performance.now();
      this.longestGapMs = Math.max(this.longestGapMs, lookAt - lastLookAt);
      lastLookAt = lookAt;
      if (this.sandbox.vmmPid !== undefined) {
        // A VMM that exits between the pid and the read (the stop) is no sample, and no failure.
        const bytes = await this.sandbox.vmmOverheadBytes().catch(() => undefined);
        if (bytes !== undefined) this.points.push({ atMs: Math.round(lookAt - startedAt), value: bytes / MIB });
      }
      await sleep(Math.max(0, everyMs - (performance.now() - lookAt)));
    }
    this.recorder.series('VMM overhead', 'MiB', this.points);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/**
 * vmm-overhead-bounded: through a boot (stop, start), a burst of execs and a balloon cycle, the VMM's own
 * memory (its resident memory minus the guest RAM it holds), looked at every 250 ms at most, stays
 * within the bound for the accelerator. Returns the peak in MiB.
 */
export async function checkVmmOverheadBounded(sandbox: Sandbox, accel: Accelerator, recorder: CaseRecorder): Promise<number> {
  const { overheadSampleEveryMs, overheadSampleAimMs, vmmOverheadMiB, overheadExecBurst } = FIELD_LIFECYCLE;
  const sampler = new OverheadSampler(sandbox, recorder, overheadSampleAimMs);
  try {
    await sandbox.stop();
    await sandbox.start();
    await Promise.all(Array.from({ length: overheadExecBurst }, (_, id) => execOk(sandbox, `echo ${id}`, { what: `exec ${id} of the burst` })));
    const balloon = sandbox.balloon()!;
    await balloon.connect();
    try {
      await balloon.inflate(BALLOON.inflateTargetMiB);
      await balloon.deflate(BALLOON.memoryMiB);
    } finally {
      await balloon.close();
    }
  } finally {
    await sampler.stop();
  }
  if (sampler.points.length === 0) throw new Error(`the VMM's own memory was never sampled`);
  const peakMiB = Math.max(...sampler.points.map((point) => point.value));
  recorder.metric('VMM overhead peak', peakMiB, 'MiB');
  const boundMiB = vmmOverheadMiB[accel];
  const translationCache = accel === 'tcg' ? ', with TCG\'s translation cache' : '';
  expectAtMost(peakMiB, boundMiB, `the VMM's own memory (resident minus the guest RAM it holds) at its peak, bound ${boundMiB} MiB on ${accel}${translationCache}`, 'MiB');
  expectAtMost(sampler.longestGapMs, overheadSampleEveryMs, `the longest time between two looks at the VMM's memory (peak ${peakMiB.toFixed(1)} MiB)`, 'ms');
  return peakMiB;
}
