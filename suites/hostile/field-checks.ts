/**
 * The hostile cases from the field: a guest that stops reading its channel made a VMM's event thread
 * spin (reported against Firecracker).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { describeExecResult, expectAtMost, expectDestroyedLeavingNothing, holds } from '../../harness/assert/index.ts';
import { processCpu } from '../../harness/host/cpu-time.ts';
import { GuestNoAnswerError } from '../../harness/contract/exec-errors.ts';
import type { Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import { FIELD_HOSTILE } from './limits.ts';

export const stopsReadingSpec: Partial<SandboxSpec> = { hostile: { agent: 'stops-reading' } };

type Outcome = { answered: true } | { failed: unknown; afterMs: number } | 'hang';

function cpuMs(pid: number | 'self'): number {
  return processCpu(pid)?.ownMs ?? Number.NaN;
}

/** How one request to the agent that reads nothing ended, as the claim states it: failed by its timeout. */
function describeOutcome(outcome: Outcome, timeoutSeconds: number): string {
  if (outcome === 'hang') return 'neither answered nor failed: it hangs';
  if ('answered' in outcome) return 'answered by an agent that reads nothing';
  if (!(outcome.failed instanceof GuestNoAnswerError)) return `failed with ${String(outcome.failed)}, not a GuestNoAnswerError`;
  if (outcome.afterMs < timeoutSeconds * 1000) return `failed after ${Math.round(outcome.afterMs)} ms, before its own ${timeoutSeconds} s timeout`;
  return 'failed by its timeout';
}

/**
 * agent-stops-reading: requests to an agent that reads none each fail by their timeout with a
 * GuestNoAnswerError, while the harness and the VMM stay off the CPU (no busy loop) and a neighbour
 * VM answers its execs; the VM is then destroyed with nothing left.
 */
export async function checkAgentStopsReading(victim: Sandbox, neighbour: Sandbox, recorder: CaseRecorder): Promise<void> {
  const { unreadRequests, unreadTimeoutSeconds, unreadMaxWaitMs, neighbourExecs, maxCpuShareWhileWaiting } = FIELD_HOSTILE;
  const vmmPid = victim.vmmPid!;
  const startedAt = performance.now();
  const [harnessBefore, vmmBefore] = [cpuMs('self'), cpuMs(vmmPid)];
  const requests = Array.from({ length: unreadRequests }, (_, id) =>
    victim.exec(`echo unread-${id}`, { timeoutSeconds: unreadTimeoutSeconds }).then(
      (): Outcome => ({ answered: true }),
      (failed: unknown): Outcome => ({ failed, afterMs: performance.now() - startedAt }),
    ),
  );
  const neighbourAnswers: string[] = [];
  for (let index = 0; index < neighbourExecs; index++) {
    neighbourAnswers.push(await neighbour.exec(`echo neighbour-${index}`).then(describeExecResult, (error: Error) => `no answer: ${error.message}`));
  }
  const bounded = (request: Promise<Outcome>) => Promise.race([request, sleep(Math.max(0, startedAt + unreadMaxWaitMs - performance.now())).then((): Outcome => 'hang')]);
  const outcomes = await Promise.all(requests.map(bounded));
  const elapsedMs = performance.now() - startedAt;
  const harnessShare = (cpuMs('self') - harnessBefore) / elapsedMs;
  const vmmShare = (cpuMs(vmmPid) - vmmBefore) / elapsedMs;
  if (Number.isFinite(harnessShare)) recorder.metric('harness CPU share while the agent read nothing', harnessShare, 'ratio');
  if (Number.isFinite(vmmShare)) recorder.metric('VMM CPU share while the agent read nothing', vmmShare, 'ratio');

  await holds('agent-stops-reading/requests-fail-by-timeout', () =>
    expect(
      outcomes.map((outcome) => describeOutcome(outcome, unreadTimeoutSeconds)),
      `each of the ${unreadRequests} requests to the agent that stopped reading fails by its own timeout, within ${unreadMaxWaitMs} ms`,
    ).toEqual(outcomes.map(() => 'failed by its timeout')),
  );
  await holds('agent-stops-reading/others-unhurt', () => {
    expect(neighbourAnswers, "the neighbour VM's execs each get their own reply while the other agent reads nothing").toEqual(
      neighbourAnswers.map((_, index) => describeExecResult({ exitCode: 0, stdout: Buffer.from(`neighbour-${index}\n`), stderr: Buffer.alloc(0), timedOut: false })),
    );
    // Where the host keeps no per-process CPU accounting (no /proc), the shares are unknown, not failed.
    if (Number.isFinite(harnessShare)) expectAtMost(harnessShare, maxCpuShareWhileWaiting, "the harness process's share of a core while its requests waited", '');
    if (Number.isFinite(vmmShare)) expectAtMost(vmmShare, maxCpuShareWhileWaiting, "the VMM's share of a core while the agent read nothing", '');
  });
  await holds('agent-stops-reading/destroyed-leaving-nothing', () => expectDestroyedLeavingNothing(victim));
}
