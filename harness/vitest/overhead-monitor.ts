/**
 * The VMM overhead monitor every case gets: each VM's own VMM memory, as its runtime watched it through
 * the VM's life, recorded per VM (`VMM overhead peak`) and held to the accelerator's bound, so a VMM
 * that grows fails whatever case made it grow (as Firecracker's tests do on every VM), under the claim
 * `vmm-overhead-bounded/peak-within-bound`.
 */
import type { TestContext } from 'vitest';
import { expectOverheadWithinBound } from '../assert/vmm-overhead.ts';
import { holds } from '../assert/holds.ts';
import type { Runtime, Sandbox, VmmOverheadWatch } from '../contract/sandbox.ts';
import { VM_METRICS } from '../reports/metric-names.ts';
import { recordMetric, recordNote } from './case-recorder.ts';

const MIB = 1024 * 1024;

/** What the runtime watched of each VM; read before they are destroyed, when every runtime can still answer. */
export async function watchedOverheads(runtime: Runtime, created: readonly Sandbox[]): Promise<Map<Sandbox, VmmOverheadWatch>> {
  if (!runtime.capabilities.has('host-vmm-overhead')) return new Map();
  const watches = await Promise.all(created.map(async (sandbox) => [sandbox, await sandbox.vmmOverhead().catch(() => undefined)] as const));
  return new Map(watches.filter((entry): entry is readonly [Sandbox, VmmOverheadWatch] => entry[1] !== undefined && entry[1].samples > 0));
}

/**
 * Records each VM's peak and fails the case when one passed the bound. A fault test is judged by its
 * named claim alone (its fault may well grow the VMM), so it only records.
 */
export async function judgeOverheads(task: TestContext['task'], runtime: Runtime, watches: Map<Sandbox, VmmOverheadWatch>): Promise<void> {
  if (!runtime.capabilities.has('host-vmm-overhead')) {
    recordNote(task, `the VMM's own memory was not watched: runtime ${runtime.name} lacks host-vmm-overhead`);
    return;
  }
  for (const [, watch] of watches) recordMetric(task, VM_METRICS.vmmOverheadPeak, watch.peakBytes / MIB, 'MiB');
  if ((task.meta as { proof?: unknown }).proof) return;
  for (const [sandbox, watch] of watches) {
    await holds('vmm-overhead-bounded/peak-within-bound', () => expectOverheadWithinBound(watch, sandbox.accelerator, `VM ${sandbox.name}`));
  }
}
