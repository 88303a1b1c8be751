/**
 * The hostile cases from the field: a guest that stops reading its channel made a VMM's event thread
 * spin (reported against Firecracker).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expectAtMost } from '../../harness/assert/index.ts';
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
  for (let index = 0; index < neighbourExecs; index++) {
    const answer = await neighbour.exec(`echo neighbour-${index}`);
    if (answer.stdout.toString() !== `neighbour-${index}\n`) throw new Error(`the neighbour VM's exec ${index} answered ${JSON.stringify(answer.stdout.toString())} while the other agent read nothing`);
  }
  const bounded = (request: Promise<Outcome>) => Promise.race([request, sleep(Math.max(0, startedAt + unreadMaxWaitMs - performance.now())).then((): Outcome => 'hang')]);
  const outcomes = await Promise.all(requests.map(bounded));
  const elapsedMs = performance.now() - startedAt;
  const harnessShare = (cpuMs('self') - harnessBefore) / elapsedMs;
  const vmmShare = (cpuMs(vmmPid) - vmmBefore) / elapsedMs;
  if (Number.isFinite(harnessShare)) recorder.metric('harness CPU share while the agent read nothing', harnessShare, 'ratio');
  if (Number.isFinite(vmmShare)) recorder.metric('VMM CPU share while the agent read nothing', vmmShare, 'ratio');

  const hung = outcomes.filter((outcome) => outcome === 'hang').length;
  if (hung > 0) throw new Error(`${hung} of ${unreadRequests} requests to the agent that stopped reading neither answered nor failed within ${unreadMaxWaitMs} ms: they hang`);
  outcomes.forEach((outcome, id) => {
    if (outcome === 'hang') return;
    if ('answered' in outcome) throw new Error(`request ${id} was answered by an agent that reads nothing`);
    if (!(outcome.failed instanceof GuestNoAnswerError)) throw new Error(`request ${id} failed with ${String(outcome.failed)}, not a GuestNoAnswerError`);
    if (outcome.afterMs < unreadTimeoutSeconds * 1000) throw new Error(`request ${id} failed after ${Math.round(outcome.afterMs)} ms, before its own ${unreadTimeoutSeconds} s timeout`);
  });
  // Where the host keeps no per-process CPU accounting (no /proc), the shares are unknown, not failed.
  if (Number.isFinite(harnessShare)) expectAtMost(harnessShare, maxCpuShareWhileWaiting, "the harness process's share of a core while its requests waited", '');
  if (Number.isFinite(vmmShare)) expectAtMost(vmmShare, maxCpuShareWhileWaiting, "the VMM's share of a core while the agent read nothing", '');
  await victim.destroy();
  const left = await victim.leftovers();
  if (left.length > 0) throw new Error(`destroying the VM whose agent stopped reading left behind: ${left.join(', ')}`);
}
