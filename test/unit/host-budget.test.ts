import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { boundedAll, HOST_BUDGET, hostBudget, planBudget } from '../../harness/host/budget.ts';

describe('planBudget', () => {
  it('is bounded by cores when memory is plentiful (one TCG thread per vCPU)', () => {
    const budget = planBudget({ logicalCores: 4, availableMemMiB: 64_000, vmMemoryMiB: 256 });
    expect(budget).toMatchObject({ concurrentVms: 4, workers: 4 });
    expect(budget.reason).toMatch(/limited by cores/);
  });

  it('is bounded by memory, keeping the host reserve and VMM overhead per VM', () => {
    // 2000 MiB available, 20% kept: 1600 MiB; each VM 256 + 150 = 406 MiB; 3 fit, 4 would not.
    const budget = planBudget({ logicalCores: 64, availableMemMiB: 2_000, vmMemoryMiB: 256 });
    expect(HOST_BUDGET).toMatchObject({ vmmOverheadMiB: 150, hostReserveFraction: 0.2 });
    expect(budget).toMatchObject({ concurrentVms: 3, workers: 3 });
    expect(budget.reason).toMatch(/limited by memory/);
    expect(budget.reason).toContain('406 MiB per VM');
  });

  it('adds workers for time spent waiting on idle guests only where memory has room for their VMs', () => {
    const roomy = planBudget({ logicalCores: 2, availableMemMiB: 64_000, vmMemoryMiB: 256, waitingWorkers: 1 });
    expect(roomy).toMatchObject({ concurrentVms: 2, workers: 3 });
    expect(roomy.reason).toContain('2 workers x 1 VMs per test + 1 for time spent waiting on idle guests');
    // 1600 MiB usable / 406 MiB per VM = 3 VMs: memory already sets the limit, so no worker is added.
    expect(planBudget({ logicalCores: 64, availableMemMiB: 2_000, vmMemoryMiB: 256, waitingWorkers: 1 }).workers).toBe(3);
    expect(planBudget({ logicalCores: 1, availableMemMiB: 64_000, vmMemoryMiB: 256, waitingWorkers: 1 }).reason).toMatch(/^1 VMs at once, limited by cores: 1 core \//);
  });

  it('counts every vCPU of a VM against the cores', () => {
    expect(planBudget({ logicalCores: 8, availableMemMiB: 64_000, vmMemoryMiB: 256, vcpusPerVm: 2 }).concurrentVms).toBe(4);
  });

  it('gives each worker room for all VMs of its test', () => {
    expect(planBudget({ logicalCores: 8, availableMemMiB: 64_000, vmMemoryMiB: 256, vmsPerTest: 2 })).toMatchObject({
      concurrentVms: 8,
      workers: 4,
    });
    expect(planBudget({ logicalCores: 2, availableMemMiB: 64_000, vmMemoryMiB: 256, vmsPerTest: 3 }).workers).toBe(1);
  });

  it('never plans below one, and says the host is too small', () => {
    const budget = planBudget({ logicalCores: 1, availableMemMiB: 100, vmMemoryMiB: 512 });
    expect(budget).toMatchObject({ concurrentVms: 1, workers: 1 });
    expect(budget.reason).toMatch(/cannot fit one VM/);
    expect(planBudget({ logicalCores: 0, availableMemMiB: 0, vmMemoryMiB: 256 })).toMatchObject({ concurrentVms: 1, workers: 1 });
  });

  it('rejects inputs that would plan nonsense', () => {
    expect(() => planBudget({ logicalCores: 4, availableMemMiB: 4_000, vmMemoryMiB: 0 })).toThrow(/vmMemoryMiB must be positive/);
    expect(() => planBudget({ logicalCores: Number.NaN, availableMemMiB: 4_000, vmMemoryMiB: 256 })).toThrow(/logicalCores/);
  });
});

describe('hostBudget', () => {
  it('plans at least one VM and one worker on this host', async () => {
    const budget = await hostBudget(256);
    expect(budget.workers).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(budget.concurrentVms)).toBe(true);
    expect(budget.concurrentVms).toBeGreaterThanOrEqual(budget.workers);
  });

  it('plans for no more cores than --cores gives the run', async () => {
    expect(await hostBudget(256, { coresForRun: 1 })).toMatchObject({ concurrentVms: 1, workers: 1 });
  });
});

describe('boundedAll', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    let active = 0;
    let peak = 0;
    const results = await boundedAll([30, 5, 20, 1, 10, 2, 15, 3], 3, async (delay, index) => {
      active += 1;
      peak = Math.max(peak, active);
      await sleep(delay);
      active -= 1;
      return index * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('fails only after every call has settled', async () => {
    const finished: number[] = [];
    const run = boundedAll([0, 1, 2], 3, async (item) => {
      if (item === 0) throw new Error('writer 0 failed');
      await sleep(20);
      finished.push(item);
    });
    await expect(run).rejects.toThrow('writer 0 failed');
    expect(finished).toEqual([1, 2]);
  });

  it('reports how many calls failed when several did', async () => {
    const run = boundedAll([1, 2, 3], 2, async (item) => {
      if (item !== 2) throw new Error(`exec ${item} failed`);
    });
    await expect(run).rejects.toThrow(AggregateError);
    await expect(run).rejects.toThrow('2 of 3 calls failed; first: exec 1 failed');
  });
});
