/**
 * The snapshot cases from the field: what runtimes shipped broken in restores (clones sharing random
 * state, clocks after restore, exec storms at resume, balloon and snapshot together). Each check takes
 * `vm`, so the fault tests run the very same check on a runtime with a fault.
 */
import { expect } from 'vitest';
import { execOk, expectWithin, holds } from '../../harness/assert/index.ts';
import { AssertionFailure } from '../../harness/contract/assertion.ts';
import { expectHealthyKernel } from '../../harness/assert/kernel-log.ts';
import { deadlineMs } from '../../harness/config/constants.ts';
import { BALLOON } from '../balloon/limits.ts';
import { expectAllocation } from '../../harness/workloads/memory.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { MakeVm } from '../../harness/vitest/vm-test.ts';
import { expectRestored, expectStatsRefresh, restoredSpec, withRestoredBalloon } from './checks.ts';
import { FIELD_SNAPSHOT } from './limits.ts';

export const entropySpec: Partial<SandboxSpec> = { restore: { savedAtUptimeSeconds: FIELD_SNAPSHOT.entropySavedAtUptimeSeconds } };

/** What a clone hands out first: bytes of its random source, a run of fresh UUIDs, and its uptime then. */
interface CloneRandomness {
  bytes: string;
  uuids: string[];
  uptimeSeconds: number;
}

/**
 * Each UUID is one draw from the kernel's generator. Clones that share its state but made a different
 * number of draws before (an exec's address randomisation takes some) hand out the same sequence
 * shifted: a run of draws from each, read by one process, shows the overlap where a single one may not.
 */
async function firstRandomness(sandbox: Sandbox): Promise<CloneRandomness> {
  const uuidFiles = Array(FIELD_SNAPSHOT.entropyUuids).fill('/proc/sys/kernel/random/uuid').join(' ');
  const [bytes = '', uptime = '', ...uuids] = (
    await execOk(sandbox, `head -c ${FIELD_SNAPSHOT.entropyBytes} /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; cat /proc/uptime ${uuidFiles}`)
  ).trim().split('\n');
  if (bytes.length !== FIELD_SNAPSHOT.entropyBytes * 2) throw new Error(`${sandbox.name} read ${JSON.stringify(bytes)} from /dev/urandom, not ${FIELD_SNAPSHOT.entropyBytes} bytes`);
  return { bytes, uuids, uptimeSeconds: Number(uptime.split(' ')[0]) };
}

/**
 * clones-distinct-entropy: two clones of one guest saved past its kernel's early-boot reseeding each
 * read their random source and a UUID as the first thing after resume; they must differ. Returns how
 * the runtime says it reseeded.
 */
export async function checkClonesDistinctEntropy(vm: MakeVm): Promise<string | undefined> {
  const clones: { sandbox: Sandbox; first: CloneRandomness }[] = [];
  for (let index = 0; index < 2; index++) {
    const sandbox = await vm(entropySpec);
    clones.push({ sandbox, first: await firstRandomness(sandbox) });
  }
  for (const { sandbox, first } of clones) {
    expectRestored(sandbox);
    // A younger guest reseeds by itself within a second or two: the case would pass by luck.
    if (!(first.uptimeSeconds >= FIELD_SNAPSHOT.entropySavedAtUptimeSeconds)) {
      throw new Error(`${sandbox.name} was up ${first.uptimeSeconds} s at its first read: saved inside its kernel's early-boot reseeding (${FIELD_SNAPSHOT.entropySavedAtUptimeSeconds} s asked)`);
    }
  }
  const [a, b] = clones;
  const shared = a!.first.uuids.filter((uuid) => b!.first.uuids.includes(uuid));
  await holds('clones-distinct-entropy/random-state-distinct', () => {
    if (a!.first.bytes === b!.first.bytes) throw new AssertionFailure(`the clones share random state: both read ${a!.first.bytes} from /dev/urandom first after resume`);
    if (shared.length > 0) throw new AssertionFailure(`the clones share random state: both made the UUID ${shared[0]} (${shared.length} of ${FIELD_SNAPSHOT.entropyUuids} in common) first after resume`);
  });
  return a!.sandbox.restoreReseed;
}

/** The guest's wall clock (µs since the epoch) and monotonic clock (ns since boot), read in one exec. */
interface GuestClocks {
  wallMs: number;
  monotonicSeconds: number;
  /** Host wall clock before and after the exec: the guest read its clocks in between. */
  hostBeforeMs: number;
  hostAfterMs: number;
}

async function guestClocks(sandbox: Sandbox): Promise<GuestClocks> {
  const hostBeforeMs = Date.now();
  // busybox date has no %N: adjtimex reads the wall clock to the µs, timer_list the monotonic clock.
  const output = await execOk(sandbox, "adjtimex | grep 'time.tv_'; grep -m1 'now at' /proc/timer_list");
  const hostAfterMs = Date.now();
  const number = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`${sandbox.name}: no ${pattern.source} in its clock reading: ${JSON.stringify(output)}`);
    return Number(match[1]);
  };
  const wallMs = number(/tv_sec:\s*(\d+)/) * 1000 + number(/tv_usec:\s*(\d+)/) / 1000;
  return { wallMs, monotonicSeconds: number(/now at (\d+) nsecs/) / 1e9, hostBeforeMs, hostAfterMs };
}

/** A restored VM whose saved state is at least `minAgeMs` old: waited for only when it was saved just now. */
async function restoredFromStateAtLeast(vm: MakeVm, minAgeMs: number): Promise<Sandbox> {
  for (;;) {
    const sandbox = await vm(restoredSpec);
    expectRestored(sandbox);
    const facts = sandbox.restoredFrom;
    if (!facts) throw new Error(`${sandbox.name}: the runtime does not say when the state it was restored from was saved`);
    const ageMs = Date.now() - facts.savedAtMs;
    if (ageMs >= minAgeMs) return sandbox;
    await new Promise((resolve) => setTimeout(resolve, minAgeMs - ageMs));
  }
}

/**
 * clock-after-restore: a VM restored from a state saved 30 s or more earlier has the host's wall clock
 * at once (not the save's), and its monotonic clock never goes back: not across the restore (against
 * the uptime the runtime recorded at the save), not across a freeze of the guest.
 */
export async function checkClockAfterRestore(vm: MakeVm): Promise<void> {
  const sandbox = await restoredFromStateAtLeast(vm, FIELD_SNAPSHOT.clockStateMinAgeMs);
  const restored = await guestClocks(sandbox);
  const { clockMaxWallSkewMs } = FIELD_SNAPSHOT;
  await holds('clock-after-restore/wall-clock-current', () => {
    if (restored.wallMs < restored.hostBeforeMs - clockMaxWallSkewMs || restored.wallMs > restored.hostAfterMs + clockMaxWallSkewMs) {
      const offSeconds = ((restored.wallMs - restored.hostBeforeMs) / 1000).toFixed(1);
      throw new AssertionFailure(`the restored guest's wall clock is ${offSeconds} s off the host's right after restore (bound ${clockMaxWallSkewMs} ms; saved ${((restored.hostBeforeMs - sandbox.restoredFrom!.savedAtMs) / 1000).toFixed(0)} s earlier)`);
    }
  });
  const savedUptime = sandbox.restoredFrom!.guestUptimeSeconds;
  await holds('clock-after-restore/monotonic-never-back', () =>
    expect(restored.monotonicSeconds, `the guest's monotonic clock right after the restore, in s (${savedUptime} s at the save)`).toBeGreaterThanOrEqual(savedUptime),
  );
  await sandbox.freezeGuest(true);
  await new Promise((resolve) => setTimeout(resolve, FIELD_SNAPSHOT.clockFreezeMs));
  await sandbox.freezeGuest(false);
  const resumed = await guestClocks(sandbox);
  await holds('clock-after-restore/monotonic-never-back', () =>
    expect(resumed.monotonicSeconds, `the guest's monotonic clock after a freeze, in s (${restored.monotonicSeconds} s before it)`).toBeGreaterThanOrEqual(restored.monotonicSeconds),
  );
}

/**
 * exec-storm-after-restore: the moment a restored VM is ready, a burst of execs sent at once each come
 * back exactly once, with their own output, within the deadline.
 */
export async function checkExecStormAfterRestore(vm: MakeVm, accel: Accelerator): Promise<void> {
  const sandbox = await vm(restoredSpec);
  expectRestored(sandbox);
  const ids = Array.from({ length: FIELD_SNAPSHOT.stormExecs }, (_, index) => index);
  const timeoutSeconds = Math.ceil(deadlineMs(FIELD_SNAPSHOT.stormDeadlineMs, accel) / 1000);
  const staggerUs = (id: number) => (ids.length - 1 - id) * FIELD_SNAPSHOT.stormStaggerMs * 1000;
  const answers = await Promise.all(
    ids.map((id) => execOk(sandbox, `usleep ${staggerUs(id)}; echo ${id} >> /run/storm; echo storm-${id}`, { timeoutSeconds, what: `exec ${id} of the storm after restore` })),
  );
  await holds('exec-storm-after-restore/own-output', () =>
    answers.forEach((output, id) => {
      if (output !== `storm-${id}\n`) throw new AssertionFailure(`exec ${id} of the storm after restore answered another's output: ${JSON.stringify(output)}`);
    }),
  );
  const ran = (await execOk(sandbox, 'cat /run/storm')).trim().split('\n').map(Number).sort((a, b) => a - b);
  await holds('exec-storm-after-restore/each-ran-once', () => expect(ran.join(','), "the storm's execs as they ran in the guest").toBe(ids.join(',')));
}

export const balloonDeflateSpec: Partial<SandboxSpec> = {
  restore: { balloonTargetMiB: BALLOON.inflateTargetMiB },
  memoryMiB: BALLOON.memoryMiB,
  balloon: { statsIntervalSeconds: BALLOON.statsIntervalSeconds },
};

/**
 * balloon-snapshot-deflate: a VM saved with its balloon inflated, restored and deflated to its whole
 * memory, refreshes its balloon stats, takes back and touches what the balloon returned, and its
 * kernel logs no stall, lockup or oops meanwhile.
 */
export async function checkBalloonSnapshotDeflate(vm: MakeVm, accel: Accelerator): Promise<void> {
  const sandbox = await withRestoredBalloon(vm, balloonDeflateSpec, async (balloon, toleranceMiB) => {
    await balloon.deflate(BALLOON.memoryMiB);
    const deflated = await balloon.query();
    await holds('balloon-snapshot-deflate/reaches-full-size', () =>
      expectWithin(deflated, BALLOON.memoryMiB - toleranceMiB, BALLOON.memoryMiB, 'restored balloon actual after deflate to full size', 'MiB'),
    );
    await holds('balloon-snapshot-deflate/stats-refresh', () => expectStatsRefresh(balloon, accel));
  });
  // More than the guest had while inflated: only memory the balloon gave back holds it.
  await expectAllocation(sandbox, BALLOON.largeAllocMiB, deadlineMs(BALLOON.touchDeadlineMs, accel) / 1000, 'restored inflated, then deflated to full size');
  await expectHealthyKernel(sandbox);
}
