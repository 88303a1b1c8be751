/**
 * The harness's own speed, from one run: rounds that each boot the VMM raw (no harness, to the init's
 * first console line; with a runtime kind that has a raw boot), create a VM through the harness (to
 * its first exec) and time execs on it, and restore a VM from a saved state (to its first exec).
 * Alternating within a round keeps a noisy host's drift out of the ratios. The CPU of every harness phase is split into the VMM's (read
 * from the kernel before it is killed) and the rest of this process tree's (Node and the runtime's tools).
 */
import { BENCH } from './limits.ts';
import { processCpu } from '../host/cpu-time.ts';
import type { Runtime, Sandbox } from '../contract/sandbox.ts';

export interface BenchInput {
  runtime: Runtime;
  /** The VMM alone booting the guest to its init's first line (the runtime kind's rawBoot), or why there is no such baseline. */
  rawBoot: (() => Promise<number>) | { unavailable: string };
  rounds: number;
  /** performance.now() past which no round starts that the last one says would not end in time (a hunt's budget); the first always runs. */
  deadline?: number;
  onProgress: (line: string) => void;
}

export interface BenchSamples {
  /** Empty when the VMM cannot be booted without its runtime; `rawBootUnavailable` says why. */
  rawBootMs: number[];
  rawBootUnavailable?: string;
  coldReadyMs: number[];
  /** Empty when the runtime cannot restore; `restoreUnavailable` says why. */
  restoreReadyMs: number[];
  restoreUnavailable?: string;
  execRoundTripMs: number[];
  /** Per round: the harness's CPU (without the VMM's) as a share of all the round's harness-phase CPU; empty when `harnessCpuUnavailable` says why. */
  harnessCpuPercent: number[];
  harnessCpuUnavailable?: string;
}

export async function measureHarnessSpeed(input: BenchInput): Promise<BenchSamples> {
  const samples: BenchSamples = { rawBootMs: [], coldReadyMs: [], restoreReadyMs: [], execRoundTripMs: [], harnessCpuPercent: [] };
  const { rawBoot } = input;
  if (typeof rawBoot !== 'function') samples.rawBootUnavailable = rawBoot.unavailable;
  samples.restoreUnavailable = await warmUpRestore(input.runtime);
  let lastRoundMs = 0;
  for (let round = 1; round <= input.rounds; round++) {
    if (input.deadline !== undefined && round > 1 && performance.now() + lastRoundMs > input.deadline) {
      input.onProgress(`the budget has no room for round ${round} (the last took ${Math.round(lastRoundMs / 1000)} s): ${round - 1} of ${input.rounds} rounds`);
      break;
    }
    const roundStart = performance.now();
    if (typeof rawBoot === 'function') samples.rawBootMs.push(await rawBoot());
    const ledger = new CpuLedger();
    const cold = await timedCreate(input.runtime, `bench-cold${round}`, false);
    samples.coldReadyMs.push(cold.readyMs);
    for (let i = 0; i < BENCH.execsPerRound; i++) {
      const result = await cold.sandbox.exec('true');
      if (result.exitCode !== 0) throw new Error(`bench exec ${i + 1} answered exit ${result.exitCode}`);
      samples.execRoundTripMs.push(result.durationMs);
    }
    await ledger.destroy(cold.sandbox);
    if (!samples.restoreUnavailable) {
      const restored = await timedCreate(input.runtime, `bench-restore${round}`, true);
      samples.restoreReadyMs.push(restored.readyMs);
      await ledger.destroy(restored.sandbox);
    }
    const share = ledger.harnessPercent();
    if (typeof share === 'number') samples.harnessCpuPercent.push(share);
    else samples.harnessCpuUnavailable = share.unavailable;
    const rawNote = samples.rawBootUnavailable ? '' : `raw ${samples.rawBootMs.at(-1)!.toFixed(0)} ms, `;
    const restoreNote = samples.restoreUnavailable ? '' : `, restore ${samples.restoreReadyMs.at(-1)!.toFixed(0)} ms`;
    input.onProgress(`round ${round}/${input.rounds}: ${rawNote}cold ${cold.readyMs.toFixed(0)} ms${restoreNote}`);
    lastRoundMs = performance.now() - roundStart;
  }
  return samples;
}

/** create() to its return, which is after the first successful exec: what a user of the harness waits. */
async function timedCreate(runtime: Runtime, name: string, restore: boolean): Promise<{ sandbox: Sandbox; readyMs: number }> {
  const startedAt = performance.now();
  const sandbox = await runtime.create({ name, ...(restore ? { restore: true } : {}) });
  return { sandbox, readyMs: performance.now() - startedAt };
}

/** The first restore saves the state (a cold boot and a save): done before the rounds, so no round pays it. */
async function warmUpRestore(runtime: Runtime): Promise<string | undefined> {
  if (!runtime.capabilities.has('snapshot')) return runtime.missingOnThisHost.get('snapshot') ?? `the ${runtime.name} runtime cannot restore a saved VM`;
  const sandbox = await runtime.create({ name: 'bench-warmup', restore: true });
  const fallback = sandbox.restoreFallback;
  await sandbox.destroy();
  return fallback;
}

/**
 * CPU of this process tree since the ledger opened, split by the VMMs it was told about. A VMM's CPU
 * is read just before it is killed (an idle guest adds next to nothing after that); once reaped it
 * is also in this process's children's time, from which it is taken out again.
 */
class CpuLedger {
  private readonly startSelf = process.cpuUsage();
  private readonly startChildren = processCpu('self')?.reapedChildrenMs;
  private vmmMs = 0;
  private vmmUnknown: string | undefined;

  async destroy(sandbox: Sandbox): Promise<void> {
    const vmm = sandbox.vmmPid === undefined ? undefined : processCpu(sandbox.vmmPid);
    if (!vmm) this.vmmUnknown = "the runtime names no VMM process whose CPU could be read";
    // An adapter's VMMs are its children: their CPU never joins ours, so it cannot be taken out of it.
    else if (vmm.parentPid !== process.pid) this.vmmUnknown = "the VMMs are the runtime adapter's children, so their CPU cannot be told from the adapter's";
    else this.vmmMs += vmm.ownMs + vmm.reapedChildrenMs;
    await sandbox.destroy();
  }

  harnessPercent(): number | { unavailable: string } {
    const children = processCpu('self')?.reapedChildrenMs;
    if (this.startChildren === undefined || children === undefined) return { unavailable: 'this host has no /proc to read process CPU time from' };
    if (this.vmmUnknown) return { unavailable: this.vmmUnknown };
    const self = process.cpuUsage(this.startSelf);
    const selfMs = (self.user + self.system) / 1000;
    const totalMs = selfMs + (children - this.startChildren);
    return (100 * (totalMs - this.vmmMs)) / totalMs;
  }
}
