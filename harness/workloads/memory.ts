/**
 * The guest memory workloads: allocate-and-touch once, hold in a live process, churn. They write random
 * bytes, so neither zram nor any other compression can make an allocation cheaper than it looks.
 */
import { meminfoMiB } from '../assert/meminfo.ts';
import { AssertionFailure } from '../contract/assertion.ts';
import { pollUntil } from '../wait/poll.ts';
import type { Sandbox } from '../contract/sandbox.ts';
import { BackgroundWorkload } from './background.ts';
import { runWorkload } from './run-workload.ts';

type Guest = Pick<Sandbox, 'exec'>;

export type AllocationOutcome = 'OK' | 'OOM';

/** One process allocates and writes `mib` MiB, then frees it by exiting. */
export async function touchMemory(sandbox: Guest, mib: number, timeoutSeconds: number): Promise<AllocationOutcome> {
  const report = (await runWorkload(sandbox, timeoutSeconds, 'mem-touch', mib)).trim();
  if (report === `OK:${mib}`) return 'OK';
  if (report === `OOM:${mib}`) return 'OOM';
  throw new Error(`mem-touch ${mib}: unexpected report ${JSON.stringify(report)}`);
}

/** An allocation the guest refused (OOM) is a failed assertion; a guest that could not run the workload is not. */
export async function expectAllocation(sandbox: Guest, mib: number, timeoutSeconds: number, when: string): Promise<void> {
  const outcome = await touchMemory(sandbox, mib, timeoutSeconds);
  if (outcome !== 'OK') throw new AssertionFailure(`${when}: allocating and touching ${mib} MiB in the guest failed (${outcome}:${mib})`);
}

export async function memAvailableMiB(sandbox: Guest): Promise<number> {
  const result = await sandbox.exec('cat /proc/meminfo');
  if (result.exitCode !== 0) throw new Error(`cannot read /proc/meminfo: exit ${result.exitCode}`);
  return meminfoMiB(result.stdout.toString('utf8'), 'MemAvailable');
}

/** Resolves once a live process holds `mib` MiB; throws if it was killed filling it. */
export async function holdMemory(sandbox: Guest, name: string, mib: number, deadlineMs: number): Promise<BackgroundWorkload> {
  const holder = await BackgroundWorkload.start(sandbox, name, 'mem-hold', mib);
  const report = await pollUntil(() => holder.output(), (output) => /^(HOLDING|OOM|DIED):/m.test(output), {
    timeoutMs: deadlineMs,
    what: `guest holds ${mib} MiB (mem-hold reports HOLDING:${mib})`,
  });
  if (!report.includes(`HOLDING:${mib}`)) throw new Error(`mem-hold ${mib}: ${report.trim()}`);
  return holder;
}

/** Allocates, touches and frees `mib` MiB over and over until stopped. */
export function startChurn(sandbox: Guest, name: string, mib: number): Promise<BackgroundWorkload> {
  return BackgroundWorkload.start(sandbox, name, 'mem-churn', mib);
}

export interface ChurnRounds {
  ok: number;
  oom: number;
}

export function churnRounds(output: string): ChurnRounds {
  return {
    ok: output.match(/^OK:/gm)?.length ?? 0,
    oom: output.match(/^OOM:/gm)?.length ?? 0,
  };
}
