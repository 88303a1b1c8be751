/**
 * The balloon cases as check functions: each states its row's key claims with holds() and throws when
 * the behaviour is broken. The suite runs them on healthy VMs; the fault tests run them on broken ones
 * and expect them to fail at the claim the fault breaks.
 */
import { expect } from 'vitest';
import { expectAlive, expectAtLeast, expectAtMost, expectHealthyKernel, expectWithin, holds, pollUntil } from '../../harness/assert/index.ts';
import { deadlineMs } from '../../harness/config/constants.ts';
import { BALLOON } from './limits.ts';
import { BalloonNotConnectedError } from '../../harness/contract/balloon-errors.ts';
import type { BalloonStats } from '../../harness/contract/balloon.ts';
import { churnRounds, expectAllocation, holdMemory, startChurn } from '../../harness/workloads/memory.ts';
import { BalloonMeter, type BalloonSubject } from './balloon-meter.ts';
import { runRandom } from '../../harness/metrics/run-random.ts';

const MIB = 1024 * 1024;
const { inflateTargetMiB } = BALLOON;

export async function checkAllocAtFullSize(subject: BalloonSubject): Promise<void> {
  await withMeter(subject, async (meter) => {
    const memory = memoryOf(subject);
    const { toleranceMiB } = meter.limits;
    const actual = await meter.query();
    await holds('alloc-at-full-size/deflated-at-boot', () =>
      expectWithin(actual, memory - toleranceMiB, memory + toleranceMiB, 'balloon actual of a fresh VM (deflated)', 'MiB'),
    );
  });
  await holds('alloc-at-full-size/allocates', () => expectAllocation(subject.sandbox, BALLOON.fullSizeAllocMiB, touchSeconds(subject), 'balloon deflated'));
}

export function checkInflateReducesAvailable(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const before = await meter.memAvailable('before inflate');
    await meter.inflate(inflateTargetMiB);
    const actual = await meter.query();
    await holds('inflate-reduces-available/actual-within-target', () =>
      expectAtMost(actual, inflateTargetMiB + meter.limits.toleranceMiB, `balloon actual after inflating to ${inflateTargetMiB} MiB`, 'MiB'),
    );
    const after = await meter.memAvailable('after inflate');
    const minDrop = (memoryOf(subject) - inflateTargetMiB) * BALLOON.minAvailableDropFraction;
    await holds('inflate-reduces-available/available-drops', () =>
      expectAtLeast(before - after, minDrop, `MemAvailable drop (before ${before.toFixed(1)}, after ${after.toFixed(1)})`, 'MiB'),
    );
  });
}

export function checkDeflateRestoresAllocation(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    await meter.inflate(inflateTargetMiB);
    await holds('deflate-restores-allocation/allocates-while-inflated', () =>
      expectAllocation(subject.sandbox, BALLOON.inflatedAllocMiB, touchSeconds(subject), `inflated to ${inflateTargetMiB} MiB`),
    );
    await meter.deflate(memoryOf(subject));
    await holds('deflate-restores-allocation/allocates-after-deflate', () =>
      expectAllocation(subject.sandbox, BALLOON.largeAllocMiB, touchSeconds(subject), 'deflated to full size'),
    );
  });
}

export function checkInflateBelowMinimumClamps(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const { belowMinimumTargetMiB } = BALLOON;
    const { minimumMiB, toleranceMiB } = meter.limits;
    const what = `balloon actual after inflating to ${belowMinimumTargetMiB} MiB (the runtime's floor: ${minimumMiB} MiB)`;
    // Every reading on the way down, not only where it rests: a balloon that passes the floor starves the guest, which may die before it rests.
    await holds('inflate-below-minimum-clamps/stays-above-floor', () =>
      meter.followToRest(belowMinimumTargetMiB, `after inflating to ${belowMinimumTargetMiB} MiB`, (actual) => expectAtLeast(actual, minimumMiB - toleranceMiB, what, 'MiB')),
    );
    await meter.deflate(memoryOf(subject));
    await holds('inflate-below-minimum-clamps/guest-answers', () => expectAlive(subject.sandbox));
  });
}

export function checkDeflateAboveMaxClamps(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const memory = memoryOf(subject);
    const { toleranceMiB } = meter.limits;
    await meter.inflate(inflateTargetMiB);
    await meter.deflate(memory * BALLOON.aboveMaxFactor);
    const actual = await meter.query();
    await holds('deflate-above-max-clamps/actual-at-memory', () =>
      expectWithin(actual, memory - toleranceMiB, memory + toleranceMiB, `balloon actual after deflating to ${BALLOON.aboveMaxFactor}× memory`, 'MiB'),
    );
  });
}

export function checkRapidCycles(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    for (let cycle = 0; cycle < BALLOON.rapidCycles; cycle++) {
      await meter.inflate(inflateTargetMiB);
      await meter.deflate(memoryOf(subject));
    }
    await holds('rapid-cycles/guest-answers', () => expectAlive(subject.sandbox));
  });
}

export function checkInflateIdempotent(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    for (let repeat = 0; repeat < BALLOON.idempotentRepeats; repeat++) await meter.inflate(inflateTargetMiB);
    await holds('inflate-idempotent/guest-answers', () => expectAlive(subject.sandbox));
  });
}

export function checkInflateUnderPressure(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const { pressureHoldMiB, pressureTargetMiB } = BALLOON;
    const holder = await holdMemory(subject.sandbox, 'pressure', pressureHoldMiB, deadlineMs(BALLOON.touchDeadlineMs, subject.accel));
    await meter.memAvailable('while holding');
    await meter.inflate(pressureTargetMiB);
    const actual = await meter.query();
    await holds('inflate-under-pressure/query-answers', () => expect(actual, 'balloon query answers under pressure').toBeGreaterThan(0));
    await holds('inflate-under-pressure/guest-answers', () => expectAlive(subject.sandbox));
    const alive = await holder.alive();
    const said = alive ? '' : await holder.output();
    await holds('inflate-under-pressure/holder-alive', () =>
      expect(alive, `the guest process holding ${pressureHoldMiB} MiB lives through the balloon's inflate to ${pressureTargetMiB} MiB (it said: ${said.trim()})`).toBe(true),
    );
  });
}

export async function checkControlNotConnected({ balloon }: BalloonSubject): Promise<void> {
  const operations: Record<string, () => Promise<unknown>> = {
    query: () => balloon.query(),
    setTarget: () => balloon.setTarget(inflateTargetMiB),
    inflate: () => balloon.inflate(inflateTargetMiB),
    deflate: () => balloon.deflate(BALLOON.memoryMiB),
    stats: () => balloon.stats(),
  };
  await holds('control-not-connected/operations-refused', async () => {
    for (const [name, operation] of Object.entries(operations)) {
      await expect(operation(), `${name} on a control that never connected`).rejects.toThrow(BalloonNotConnectedError);
      await expect(operation(), `${name} on a control that never connected`).rejects.toThrow(/not connected/);
    }
  });
}

export async function checkControlDoubleConnect({ balloon }: BalloonSubject): Promise<void> {
  await balloon.connect();
  try {
    await holds('control-double-connect/second-connect-succeeds', () => expect(balloon.connect(), 'a second connect').resolves.toBeUndefined());
    const actual = await balloon.query();
    await holds('control-double-connect/query-answers', () => expect(actual, 'query after a second connect').toBeGreaterThan(0));
  } finally {
    await balloon.close();
  }
}

export async function checkControlDoubleClose({ balloon }: BalloonSubject): Promise<void> {
  await balloon.connect();
  await balloon.close();
  await holds('control-double-close/second-close-succeeds', () => expect(balloon.close(), 'a second close').resolves.toBeUndefined());
}

export function checkWarmPoolLifecycle(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const { sandbox } = subject;
    const memory = memoryOf(subject);
    const { toleranceMiB } = meter.limits;
    await holds('warm-pool-lifecycle/allocates-at-full-size', () => expectAllocation(sandbox, BALLOON.largeAllocMiB, touchSeconds(subject), 'booted at full size'));
    const previous = await meter.inflate(inflateTargetMiB);
    await holds('warm-pool-lifecycle/inflate-returns-previous', () =>
      expectAtLeast(previous, memory - toleranceMiB, 'balloon size before parking (returned by inflate)', 'MiB'),
    );
    const parked = await meter.memAvailable('parked');
    await holds('warm-pool-lifecycle/idle-available-within-target', () =>
      expectAtMost(parked, inflateTargetMiB + toleranceMiB, `MemAvailable parked at ${inflateTargetMiB} MiB`, 'MiB'),
    );
    await meter.deflate(memory);
    await holds('warm-pool-lifecycle/allocates-after-deflate', () =>
      expectAllocation(sandbox, BALLOON.largeAllocMiB, touchSeconds(subject), 'taken from the pool (deflated)'),
    );
  });
}

export function checkHostRssReclaim(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    // Touched and freed without free page reporting, the pages stay resident on the host until the balloon takes them.
    await expectAllocation(subject.sandbox, BALLOON.largeAllocMiB, touchSeconds(subject), 'touching most of guest memory');
    const before = await meter.settledHostMemory('before inflate');
    await meter.inflate(inflateTargetMiB);
    const after = await meter.settledHostMemory('after inflate');
    subject.record.metric('host memory reclaimed', before - after, 'MiB', 'higher');
    const minReclaimed = (memoryOf(subject) - inflateTargetMiB) * BALLOON.minHostReclaimFraction;
    await holds('host-rss-reclaim/host-memory-drops', () =>
      expectAtLeast(before - after, minReclaimed, `VMM host memory reclaimed by inflating to ${inflateTargetMiB} MiB (before ${before.toFixed(1)}, after ${after.toFixed(1)})`, 'MiB'),
    );
  });
}

export function checkFreePageReporting(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const before = await meter.settledHostMemory('before touch');
    const bound = before * (1 + BALLOON.freePageReportingSlackFraction);
    const holder = await holdMemory(subject.sandbox, 'reported', BALLOON.largeAllocMiB, deadlineMs(BALLOON.touchDeadlineMs, subject.accel));
    // Unless the touch shows on the host above the bound, coming back under it proves nothing.
    expectAtLeast(await meter.settledHostMemory('while touched'), bound, `VMM host memory while the guest holds ${BALLOON.largeAllocMiB} MiB`, 'MiB');
    await holder.stop();
    const returned = await holds('free-page-reporting/host-memory-returns', () =>
      pollUntil(() => meter.hostMemory(), (now) => now <= bound, {
        timeoutMs: deadlineMs(BALLOON.freePageReportingDeadlineMs, subject.accel),
        intervalMs: BALLOON.hostMemorySampleMs,
        what: `VMM host memory back within ${BALLOON.freePageReportingSlackFraction * 100}% of its pre-touch ${before.toFixed(1)} MiB (≤ ${bound.toFixed(1)} MiB) after the guest freed ${BALLOON.largeAllocMiB} MiB`,
      }),
    );
    subject.record.metric('host memory after free', returned, 'MiB');
  });
}

export function checkDeflateOnOom(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    await meter.inflate(inflateTargetMiB);
    // The balloon may still be creeping towards its target: growth is judged from where it came to rest.
    const inflated = await meter.settledActual('inflated');
    const available = await meter.memAvailable('inflated');
    const allocation = Math.ceil(available) + BALLOON.beyondAvailableMiB;
    await holds('deflate-on-oom/allocates-past-balloon', () =>
      expectAllocation(
        subject.sandbox,
        allocation,
        deadlineMs(BALLOON.oomAllocationDeadlineMs, subject.accel) / 1000,
        `inflated to ${inflated} MiB with ${available.toFixed(1)} MiB available`,
      ),
    );
    const grown = await meter.query();
    subject.record.metric('balloon given back on OOM', grown - inflated, 'MiB', 'higher');
    await holds('deflate-on-oom/actual-grows', () =>
      expect(grown, `balloon actual while the guest allocated past it (${inflated} MiB before)`).toBeGreaterThan(inflated),
    );
  });
}

export function checkGuestStats(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async () => {
    const { balloon, accel } = subject;
    const timeoutMs = deadlineMs(BALLOON.statsDeadlineMs, accel);
    const reported = (stats: BalloonStats) => stats.lastUpdate !== undefined && stats.freeBytes !== undefined && stats.totalBytes !== undefined;
    const next = await holds('guest-stats/stats-refreshed', async () => {
      const first = await pollUntil(() => balloon.stats(), reported, { timeoutMs, what: 'guest stats report free and total memory' });
      // Polling, not only the report every driver sends once at probe: the stats must be refreshed.
      return pollUntil(() => balloon.stats(), (stats) => reported(stats) && stats.lastUpdate! > first.lastUpdate!, {
        timeoutMs,
        what: `guest stats refreshed after last-update ${first.lastUpdate}`,
      });
    });
    const totalMiB = next.totalBytes! / MIB;
    const freeMiB = next.freeBytes! / MIB;
    subject.record.metric('guest stats total', totalMiB, 'MiB');
    subject.record.metric('guest stats free', freeMiB, 'MiB');
    await holds('guest-stats/real-values', () => {
      expectWithin(totalMiB, 1, memoryOf(subject), 'guest stats total memory', 'MiB');
      expectWithin(freeMiB, 1, totalMiB, 'guest stats free memory', 'MiB');
    });
  });
}

export function checkRandomTargetSoak(subject: BalloonSubject): Promise<void> {
  return withMeter(subject, async (meter) => {
    const { sandbox } = subject;
    const memory = memoryOf(subject);
    const { minimumMiB } = meter.limits;
    const churn = await startChurn(sandbox, 'soak', BALLOON.soakChurnMiB);
    const roundsBefore = churnRounds(await churn.output()).ok;
    const random = runRandom(subject.seed, 'random-target-soak');
    for (let step = 0; step < BALLOON.soakTargets; step++) {
      const target = minimumMiB + Math.floor(random() * (memory - minimumMiB + 1));
      await (target < (await meter.query()) ? meter.inflate(target) : meter.deflate(target));
    }
    await holds('random-target-soak/guest-answers', () => expectAlive(sandbox));
    const alive = await churn.alive();
    const output = await churn.output();
    await holds('random-target-soak/workload-alive', () => expect(alive, `the guest workload lives through the soak (it said: ${output.slice(-400)})`).toBe(true));
    const rounds = churnRounds(output);
    subject.record.metric('workload rounds during soak', rounds.ok - roundsBefore, 'rounds', 'higher');
    await holds('random-target-soak/workload-progresses', () =>
      expect(rounds.ok, `rounds the guest workload completed by the end of the soak (${roundsBefore} before it)`).toBeGreaterThan(roundsBefore),
    );
    await holds('random-target-soak/kernel-healthy', () => expectHealthyKernel(sandbox));
  });
}

async function withMeter<T>(subject: BalloonSubject, use: (meter: BalloonMeter) => Promise<T>): Promise<T> {
  const meter = new BalloonMeter(subject);
  await meter.connect();
  try {
    return await use(meter);
  } finally {
    await meter.close();
  }
}

function memoryOf(subject: BalloonSubject): number {
  return subject.sandbox.spec.memoryMiB;
}

function touchSeconds(subject: BalloonSubject): number {
  return deadlineMs(BALLOON.touchDeadlineMs, subject.accel) / 1000;
}
