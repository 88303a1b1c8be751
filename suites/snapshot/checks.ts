/**
 * The snapshot cases: VMs restored from a saved, ready VM (SandboxSpec.restore). Each check takes the
 * sandboxes it needs from `vm`, so the fault tests run the very same check on a runtime with a fault.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { execOk, expectAtMost, expectWithin, holds, pollUntil } from '../../harness/assert/index.ts';
import { deadlineMs, maxRestoreMs } from '../../harness/config/constants.ts';
import { catalogueBalloonLimits } from '../balloon/catalogue-limits.ts';
import { BALLOON } from '../balloon/limits.ts';
import { reconnectReadTimeoutSeconds, SNAPSHOT_CASES } from './limits.ts';
import type { BalloonControl, BalloonStats } from '../../harness/contract/balloon.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import { booted, type MakeVm } from '../../harness/vitest/vm-test.ts';

export const restoredSpec: Partial<SandboxSpec> = { restore: true };

/** A restored VM is of no use to a case that believes it was restored while it booted. */
export function expectRestored(sandbox: Sandbox): void {
  if (sandbox.restoreFallback) throw new Error(`VM ${sandbox.name} was not restored: ${sandbox.restoreFallback}`);
  if (!sandbox.timings?.().boots[0]?.restored) throw new Error(`VM ${sandbox.name} booted: the runtime did not restore it`);
}

/**
 * restore-then-exec: a restored VM answers, and skips what a restore exists to skip: the guest's own
 * boot (kernel and init, from the cold VM's first console output to its first exec; the whole cold
 * boot where the runtime does not time its first output).
 */
export async function checkRestoreThenExec(vm: MakeVm): Promise<{ coldMs: number; restoreMs: number }> {
  // The cold VM comes second: it finds the host's caches warm, so the comparison never favours the restore.
  const restored = await vm(restoredSpec);
  const cold = await vm(booted);
  expectRestored(restored);
  const answer = await execOk(restored, 'echo answered');
  if (answer !== 'answered\n') throw new Error(`the restored VM's exec answered ${JSON.stringify(answer)}`);
  const coldMs = cold.bootMs!;
  const restoreMs = restored.bootMs!;
  const firstOutputMs = cold.timings?.().boots[0]?.firstConsoleOutputMs;
  const guestBootMs = firstOutputMs === undefined ? coldMs : coldMs - firstOutputMs;
  await holds('restore-then-exec/restore-skips-guest-boot', () =>
    expectAtMost(restoreMs, maxRestoreMs(coldMs, firstOutputMs), `restore to first exec (cold boot to first exec ${coldMs} ms, the guest's own boot ${guestBootMs} ms of it)`, 'ms'),
  );
  return { coldMs, restoreMs };
}

/** clones-isolated: two VMs of one saved state share nothing they write, on disk or in memory. */
export async function checkClonesIsolated(vm: MakeVm): Promise<void> {
  const [first, second] = [await vm(restoredSpec), await vm(restoredSpec)];
  expectRestored(first);
  expectRestored(second);
  const firstFiles = Object.keys((await first.hostFootprint()).files);
  const shared = Object.keys((await second.hostFootprint()).files).filter((file) => firstFiles.includes(file));
  await holds('clones-isolated/own-overlay', () => expect(shared, 'host files behind both clones\' disks').toEqual([]));
  const token = randomBytes(8).toString('hex');
  // The root disk (synced, so it is on the host) and tmpfs (guest memory only).
  await execOk(first, `echo ${token} > /clone-token && echo ${token} > /run/clone-token && sync`);
  for (const file of ['/clone-token', '/run/clone-token']) {
    const seen = await execOk(second, `cat ${file} 2>/dev/null || true`);
    await holds('clones-isolated/token-stays-in-writer', () => expect(seen, `${file} in ${second.name}, after ${first.name} wrote ${token} to it`).not.toContain(token));
    if (!(await execOk(first, `cat ${file}`)).includes(token)) throw new Error(`${first.name} lost its own token in ${file}`);
  }
}

/** The VM of agent-reconnects-after-restore on `accel`: its agent's read timeout is derived in limits.ts. */
export function reconnectSpec(accel: Accelerator): Partial<SandboxSpec> {
  return { restore: true, agent: { readTimeoutSeconds: reconnectReadTimeoutSeconds(accel) } };
}

/**
 * agent-reconnects-after-restore: the restored agent answers at once (not only after its idle reopen),
 * reopens its port when idle as before, and after that every request runs exactly once.
 */
export async function checkAgentReconnectsAfterRestore(vm: MakeVm, accel: Accelerator): Promise<void> {
  const sandbox = await vm(reconnectSpec(accel));
  expectRestored(sandbox);
  const readTimeoutMs = reconnectReadTimeoutSeconds(accel) * 1000;
  await holds('agent-reconnects-after-restore/first-exec-at-once', () =>
    expectAtMost(sandbox.bootMs!, readTimeoutMs * SNAPSHOT_CASES.maxFirstExecShareOfReadTimeout, `restore to first exec (the agent's read timeout: ${readTimeoutMs} ms)`, 'ms'),
  );
  const opens = async () => Number((await execOk(sandbox, 'cat /run/gauntlet-agent/opens')).trim());
  const opensBefore = await opens();
  await new Promise((resolve) => setTimeout(resolve, readTimeoutMs + 1_000));
  const ids = Array.from({ length: SNAPSHOT_CASES.requestsAfterReopen }, (_, index) => index);
  await Promise.all(ids.map((id) => execOk(sandbox, `echo ${id} >> /run/restored-requests`)));
  const ran = (await execOk(sandbox, 'cat /run/restored-requests')).trim().split('\n').map(Number).sort((a, b) => a - b);
  await holds('agent-reconnects-after-restore/each-request-once', () => expect(ran.join(','), 'requests after the reopen, as they ran').toBe(ids.join(',')));
  const opensAfter = await opens();
  await holds('agent-reconnects-after-restore/reopens-when-idle', () =>
    expect(opensAfter, `the restored agent's port opens after idling past its read timeout (${opensBefore} before)`).toBeGreaterThan(opensBefore),
  );
  const { strayReplies } = sandbox.agentChannel();
  await holds('agent-reconnects-after-restore/no-stray-reply', () => expect(strayReplies, 'replies across the restore and the reopen that answered no waiting request').toBe(0));
}

export const balloonRestoredSpec: Partial<SandboxSpec> = {
  restore: true,
  memoryMiB: BALLOON.memoryMiB,
  balloon: { statsIntervalSeconds: BALLOON.statsIntervalSeconds },
};

/** balloon-after-restore: the restored balloon moves to each target and its guest stats keep coming. */
export async function checkBalloonAfterRestore(vm: MakeVm, accel: Accelerator): Promise<void> {
  await withRestoredBalloon(vm, balloonRestoredSpec, async (balloon, toleranceMiB) => {
    await balloon.inflate(BALLOON.inflateTargetMiB);
    const inflated = await balloon.query();
    await holds('balloon-after-restore/reaches-each-target', () =>
      expectWithin(inflated, BALLOON.inflateTargetMiB - toleranceMiB, BALLOON.inflateTargetMiB + toleranceMiB, 'balloon actual after inflate', 'MiB'),
    );
    await balloon.deflate(BALLOON.memoryMiB);
    const deflated = await balloon.query();
    await holds('balloon-after-restore/reaches-each-target', () => expectWithin(deflated, BALLOON.memoryMiB - toleranceMiB, BALLOON.memoryMiB, 'balloon actual after deflate', 'MiB'));
    await holds('balloon-after-restore/stats-refresh', () => expectStatsRefresh(balloon, accel));
  });
}

/**
 * A VM restored from `spec`, checked to be a restore, its balloon connected for `use` (with the
 * tolerance its control reports, once within the catalogue's bounds) and closed after, whatever `use`
 * did. Returns the sandbox for what the case checks after.
 */
export async function withRestoredBalloon(
  vm: MakeVm,
  spec: Partial<SandboxSpec>,
  use: (balloon: BalloonControl, toleranceMiB: number) => Promise<void>,
): Promise<Sandbox> {
  const sandbox = await vm(spec);
  expectRestored(sandbox);
  const balloon = sandbox.balloon()!;
  const { toleranceMiB } = await catalogueBalloonLimits(balloon);
  await balloon.connect();
  try {
    await use(balloon, toleranceMiB);
  } finally {
    await balloon.close();
  }
  return sandbox;
}

/** The restored guest's balloon stats come, and come again newer: polling is on after the restore. */
export async function expectStatsRefresh(balloon: BalloonControl, accel: Accelerator): Promise<void> {
  const timeoutMs = deadlineMs(BALLOON.statsDeadlineMs, accel);
  const reported = (stats: BalloonStats) => stats.lastUpdate !== undefined && stats.freeBytes !== undefined;
  const first = await pollUntil(() => balloon.stats(), reported, { timeoutMs, what: 'the restored guest reports its balloon stats' });
  await pollUntil(() => balloon.stats(), (stats) => reported(stats) && stats.lastUpdate! > first.lastUpdate!, {
    timeoutMs,
    what: `the restored guest's balloon stats refreshed after last-update ${first.lastUpdate}`,
  });
}

export const balloonedSnapshotSpec: Partial<SandboxSpec> = {
  restore: { balloonTargetMiB: BALLOON.inflateTargetMiB },
  memoryMiB: BALLOON.memoryMiB,
  balloon: {},
};

/** ballooned-snapshot-keeps-size: a VM saved with its balloon inflated comes back at the size it was saved at. */
export async function checkBalloonedSnapshotKeepsSize(vm: MakeVm): Promise<number> {
  const sandbox = await vm(balloonedSnapshotSpec);
  expectRestored(sandbox);
  const saved = sandbox.restoredFrom?.balloonActualMiB;
  if (saved === undefined) throw new Error(`${sandbox.name}: the runtime does not say what size the balloon had when the state was saved`);
  const balloon = sandbox.balloon()!;
  const { toleranceMiB } = await catalogueBalloonLimits(balloon);
  await balloon.connect();
  try {
    // Time for a balloon the restore set back to move: a kept size is kept, not just not yet lost.
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_CASES.settleMs));
    const actual = await balloon.query();
    await holds('ballooned-snapshot-keeps-size/size-kept', () =>
      expectWithin(actual, saved - toleranceMiB, saved + toleranceMiB, `restored balloon actual (${saved} MiB at the save, ${BALLOON.inflateTargetMiB} MiB asked)`, 'MiB'),
    );
    return actual;
  } finally {
    await balloon.close();
  }
}
