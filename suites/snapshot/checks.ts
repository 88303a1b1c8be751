/**
 * The snapshot cases: VMs restored from a saved, ready VM (SandboxSpec.restore). Each check takes the
 * sandboxes it needs from `vm`, so the fault tests run the very same check on a runtime with a fault.
 */
import { randomBytes } from 'node:crypto';
import { execOk, expectAtMost, expectWithin, pollUntil } from '../../harness/assert/index.ts';
import { AGENT, deadlineMs } from '../../harness/config/constants.ts';
import { catalogueBalloonLimits } from '../balloon/catalogue-limits.ts';
import { BALLOON } from '../balloon/limits.ts';
import { SNAPSHOT_CASES } from './limits.ts';
import type { BalloonStats } from '../../harness/contract/balloon.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import { booted, type MakeVm } from '../../harness/vitest/vm-test.ts';


export const restoredSpec: Partial<SandboxSpec> = { restore: true };

/** A restored VM is of no use to a case that believes it was restored while it booted. */
function expectRestored(sandbox: Sandbox): void {
  if (sandbox.restoreFallback) throw new Error(`VM ${sandbox.name} was not restored: ${sandbox.restoreFallback}`);
  if (!sandbox.timings?.().boots[0]?.restored) throw new Error(`VM ${sandbox.name} booted: the runtime did not restore it`);
}

/** restore-then-exec: a restored VM answers, and costs a fraction of a cold boot of the same profile. */
export async function checkRestoreThenExec(vm: MakeVm): Promise<{ coldMs: number; restoreMs: number }> {
  const cold = await vm(booted);
  const restored = await vm(restoredSpec);
  expectRestored(restored);
  const answer = await execOk(restored, 'echo answered');
  if (answer !== 'answered\n') throw new Error(`the restored VM's exec answered ${JSON.stringify(answer)}`);
  const coldMs = cold.bootMs!;
  const restoreMs = restored.bootMs!;
  expectAtMost(restoreMs, coldMs * SNAPSHOT_CASES.maxRestoreOverCold, `restore to first exec (cold boot to first exec: ${coldMs} ms)`, 'ms');
  return { coldMs, restoreMs };
}

/** clones-isolated: two VMs of one saved state share nothing they write, on disk or in memory. */
export async function checkClonesIsolated(vm: MakeVm): Promise<void> {
  const [first, second] = [await vm(restoredSpec), await vm(restoredSpec)];
  expectRestored(first);
  expectRestored(second);
  const firstFiles = Object.keys((await first.hostFootprint()).files);
  const shared = Object.keys((await second.hostFootprint()).files).filter((file) => firstFiles.includes(file));
  if (shared.length > 0) throw new Error(`the clones do not each have their own disk overlay on the host: both write ${shared.join(', ')}`);
  const token = randomBytes(8).toString('hex');
  // The root disk (synced, so it is on the host) and tmpfs (guest memory only).
  await execOk(first, `echo ${token} > /clone-token && echo ${token} > /run/clone-token && sync`);
  for (const file of ['/clone-token', '/run/clone-token']) {
    const seen = await execOk(second, `cat ${file} 2>/dev/null || true`);
    if (seen.includes(token)) throw new Error(`a token written to ${file} in ${first.name} shows in ${second.name}`);
    if (!(await execOk(first, `cat ${file}`)).includes(token)) throw new Error(`${first.name} lost its own token in ${file}`);
  }
}

export const reconnectSpec: Partial<SandboxSpec> = { restore: true, agent: { readTimeoutSeconds: AGENT.readTimeoutSeconds } };

/**
 * agent-reconnects-after-restore: the restored agent answers at once (not only after its idle reopen),
 * reopens its port when idle as before, and after that every request runs exactly once.
 */
export async function checkAgentReconnectsAfterRestore(vm: MakeVm): Promise<void> {
  const sandbox = await vm(reconnectSpec);
  expectRestored(sandbox);
  const readTimeoutMs = AGENT.readTimeoutSeconds * 1000;
  expectAtMost(sandbox.bootMs!, readTimeoutMs * SNAPSHOT_CASES.maxFirstExecShareOfReadTimeout, `restore to first exec (the agent's read timeout: ${readTimeoutMs} ms)`, 'ms');
  const opens = async () => Number((await execOk(sandbox, 'cat /run/gauntlet-agent/opens')).trim());
  const opensBefore = await opens();
  await new Promise((resolve) => setTimeout(resolve, readTimeoutMs + 1_000));
  const ids = Array.from({ length: SNAPSHOT_CASES.requestsAfterReopen }, (_, index) => index);
  await Promise.all(ids.map((id) => execOk(sandbox, `echo ${id} >> /run/restored-requests`)));
  const ran = (await execOk(sandbox, 'cat /run/restored-requests')).trim().split('\n').map(Number).sort((a, b) => a - b);
  if (ran.join(',') !== ids.join(',')) throw new Error(`requests after the reopen ran as ${ran.join(',')}, expected each of ${ids.join(',')} exactly once`);
  const opensAfter = await opens();
  if (!(opensAfter > opensBefore)) throw new Error(`the restored agent never reopened its port while idle past its read timeout (opens ${opensBefore} → ${opensAfter})`);
  const { strayReplies } = sandbox.agentChannel();
  if (strayReplies !== 0) throw new Error(`${strayReplies} replies across the restore and the reopen answered no waiting request`);
}

export const balloonRestoredSpec: Partial<SandboxSpec> = {
  restore: true,
  memoryMiB: BALLOON.memoryMiB,
  balloon: { statsIntervalSeconds: BALLOON.statsIntervalSeconds },
};

/** balloon-after-restore: the restored balloon moves to each target and its guest stats keep coming. */
export async function checkBalloonAfterRestore(vm: MakeVm, accel: Accelerator): Promise<void> {
  const sandbox = await vm(balloonRestoredSpec);
  expectRestored(sandbox);
  const balloon = sandbox.balloon()!;
  const { toleranceMiB } = await catalogueBalloonLimits(balloon);
  await balloon.connect();
  try {
    await balloon.inflate(BALLOON.inflateTargetMiB);
    expectWithin(await balloon.query(), BALLOON.inflateTargetMiB - toleranceMiB, BALLOON.inflateTargetMiB + toleranceMiB, 'balloon actual after inflate', 'MiB');
    await balloon.deflate(BALLOON.memoryMiB);
    expectWithin(await balloon.query(), BALLOON.memoryMiB - toleranceMiB, BALLOON.memoryMiB, 'balloon actual after deflate', 'MiB');
    const timeoutMs = deadlineMs(BALLOON.statsDeadlineMs, accel);
    const reported = (stats: BalloonStats) => stats.lastUpdate !== undefined && stats.freeBytes !== undefined;
    const first = await pollUntil(() => balloon.stats(), reported, { timeoutMs, what: 'the restored guest reports its balloon stats' });
    await pollUntil(() => balloon.stats(), (stats) => reported(stats) && stats.lastUpdate! > first.lastUpdate!, {
      timeoutMs,
      what: `the restored guest's balloon stats refreshed after last-update ${first.lastUpdate}`,
    });
  } finally {
    await balloon.close();
  }
}

export const balloonedSnapshotSpec: Partial<SandboxSpec> = {
  restore: { balloonTargetMiB: BALLOON.inflateTargetMiB },
  memoryMiB: BALLOON.memoryMiB,
  balloon: {},
};

/** ballooned-snapshot-keeps-size: a VM saved with its balloon inflated comes back inflated. */
export async function checkBalloonedSnapshotKeepsSize(vm: MakeVm): Promise<number> {
  const sandbox = await vm(balloonedSnapshotSpec);
  expectRestored(sandbox);
  const balloon = sandbox.balloon()!;
  const { toleranceMiB } = await catalogueBalloonLimits(balloon);
  await balloon.connect();
  try {
    // Time for a balloon the restore set back to move: a kept size is kept, not just not yet lost.
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_CASES.settleMs));
    const actual = await balloon.query();
    const saved = BALLOON.inflateTargetMiB;
    expectWithin(actual, saved - toleranceMiB, saved + toleranceMiB, `restored balloon actual (saved at ${saved} MiB)`, 'MiB');
    return actual;
  } finally {
    await balloon.close();
  }
}
