/**
 * How much of the host a run may use at once. Oversubscribing a host does not fail loudly: it stretches
 * every deadline until cases time out for reasons that have nothing to do with the runtime under test.
 */
import pLimit from 'p-limit';
import si from 'systeminformation';
import { VM_DEFAULTS } from '../config/constants.ts';

export const HOST_BUDGET = {
  /** What a VMM process holds beyond guest RAM: device models, translation cache, I/O buffers. */
  vmmOverheadMiB: 150,
  /** Share of available memory never planned for VMs, so page cache, node and vitest keep room. */
  hostReserveFraction: 0.2,
  /**
   * Workers beyond one per core when VMs are restored (not under --cold): a worker then spends much of
   * its time waiting on idle guests (agent and balloon timers, another worker's saved state), and more
   * workers fill that time.
   */
  waitingWorkersWhenRestoring: 2,
} as const;

export interface BudgetInput {
  logicalCores: number;
  availableMemMiB: number;
  vmMemoryMiB: number;
  /** VMs one test keeps running at the same time (two-vms-isolated needs 2). */
  vmsPerTest?: number;
  vcpusPerVm?: number;
  /**
   * Workers beyond those the cores keep busy, for a run whose tests spend much of their time waiting
   * on idle guests; given only where memory has room for their VMs too.
   */
  waitingWorkers?: number;
}

export interface Budget {
  workers: number;
  concurrentVms: number;
  /** One line saying which resource set the limit, with the numbers. */
  reason: string;
}

const BYTES_PER_MIB = 1024 * 1024;

export function planBudget(input: BudgetInput): Budget {
  const { logicalCores, availableMemMiB, vmMemoryMiB } = input;
  const vmsPerTest = input.vmsPerTest ?? 1;
  const vcpusPerVm = input.vcpusPerVm ?? VM_DEFAULTS.vcpus;
  requireAtLeast(0, { logicalCores, availableMemMiB });
  requireAtLeast(Number.MIN_VALUE, { vmMemoryMiB, vmsPerTest, vcpusPerVm });

  // Under TCG every vCPU is a host thread that is busy whenever the guest is; more VMs than cores
  // make each guest slower, not the run faster. KVM guests are cheaper but the same bound is safe.
  const byCores = Math.floor(logicalCores / vcpusPerVm);
  const perVmMiB = vmMemoryMiB + HOST_BUDGET.vmmOverheadMiB;
  const plannableMiB = availableMemMiB * (1 - HOST_BUDGET.hostReserveFraction);
  const byMemory = Math.floor(plannableMiB / perVmMiB);

  const concurrentVms = Math.max(1, Math.min(byCores, byMemory));
  const busyWorkers = Math.max(1, Math.floor(concurrentVms / vmsPerTest));
  const waitingWorkers = Math.max(0, Math.min(input.waitingWorkers ?? 0, Math.floor(byMemory / vmsPerTest) - busyWorkers));
  const workers = busyWorkers + waitingWorkers;

  const coresPart = `${logicalCores} ${logicalCores === 1 ? 'core' : 'cores'} / ${vcpusPerVm} vCPU per VM = ${byCores} VMs`;
  const memoryPart =
    `${Math.round(plannableMiB)} MiB usable (${availableMemMiB} MiB available, ` +
    `${HOST_BUDGET.hostReserveFraction * 100}% kept for the host) / ${perVmMiB} MiB per VM ` +
    `(${vmMemoryMiB} + ${HOST_BUDGET.vmmOverheadMiB} VMM overhead) = ${byMemory} VMs`;
  const limitedBy = byCores <= byMemory ? 'cores' : 'memory';
  const floorNote = Math.min(byCores, byMemory) < 1 ? '; the host cannot fit one VM, running 1 anyway' : '';
  const waitingPart = waitingWorkers > 0 ? ` + ${waitingWorkers} for time spent waiting on idle guests` : '';
  const workersPart = `${busyWorkers} workers x ${vmsPerTest} VMs per test${waitingPart}`;
  return {
    workers,
    concurrentVms,
    reason: `${concurrentVms} VMs at once, limited by ${limitedBy}: ${coresPart}; ${memoryPart}${floorNote}; ${workersPart}`,
  };
}

/** `coresForRun` (--cores) caps the host's cores, so two runs side by side share them instead of each planning for all. */
export async function hostBudget(
  vmMemoryMiB: number,
  { coresForRun, waitingWorkers }: { coresForRun?: number | undefined; waitingWorkers?: number } = {},
): Promise<Budget> {
  const [cpu, mem] = await Promise.all([si.cpu(), si.mem()]);
  return planBudget({
    logicalCores: Math.min(cpu.cores, coresForRun ?? cpu.cores),
    availableMemMiB: Math.floor(mem.available / BYTES_PER_MIB),
    vmMemoryMiB,
    waitingWorkers,
  });
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the order of `items`.
 * Waits for every call to settle before failing, so no writer or exec outlives the test that started it.
 */
export async function boundedAll<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const run = pLimit(limit);
  const settled = await Promise.allSettled(items.map((item, index) => run(() => fn(item, index))));
  const failures = settled.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failures.length === 1) throw failures[0]!.reason;
  if (failures.length > 1) {
    const reasons = failures.map((failure) => failure.reason as unknown);
    throw new AggregateError(reasons, `${failures.length} of ${items.length} calls failed; first: ${messageOf(reasons[0])}`);
  }
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<R>).value);
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** A NaN would slip through Math.max and plan NaN workers, so bad inputs fail here. */
function requireAtLeast(min: number, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(Number.isFinite(value) && value >= min)) {
      throw new RangeError(`planBudget: ${name} must be ${min > 0 ? 'positive' : 'zero or more'} (got ${value})`);
    }
  }
}
