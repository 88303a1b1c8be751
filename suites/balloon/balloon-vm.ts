/**
 * The VM every balloon case runs on, and what a case needs of it. The runtime reports a balloon per VM:
 * a VM without one makes the case skip, naming the capability it lacks.
 */
import type { TestContext } from 'vitest';
import { BALLOON } from './limits.ts';
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { requireCapabilities, type MakeVm, type RunFacts } from '../../harness/vitest/vm-test.ts';
import type { BalloonOptions } from '../../harness/contract/balloon.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import type { Capability, Runtime } from '../../harness/contract/sandbox.ts';
import type { BalloonSubject } from './balloon-meter.ts';

export interface BalloonCaseContext {
  vm: MakeVm;
  runtime: Runtime;
  run: RunFacts;
  task: TestContext['task'];
  skip: TestContext['skip'];
}

export interface BalloonVmOptions {
  /** false: a VM without a balloon device, on which every balloon case must skip. */
  balloon?: BalloonOptions | false;
  /** Capabilities beyond `balloon` the case needs. */
  needs?: Capability[];
  faults?: Fault[];
}

/** The host must show the memory coming back, not only hold a number for it. */
export const HOST_MEMORY_VM: BalloonVmOptions = { needs: ['host-vmm-memory', 'host-memory-reclaim'] };
export const FREE_PAGE_REPORTING_VM: BalloonVmOptions = {
  balloon: { freePageReporting: true },
  needs: ['balloon-free-page-reporting', 'host-vmm-memory', 'host-memory-reclaim'],
};
export const DEFLATE_ON_OOM_VM: BalloonVmOptions = { balloon: { deflateOnOom: true }, needs: ['balloon-deflate-on-oom'] };
export const GUEST_STATS_VM: BalloonVmOptions = { balloon: { statsIntervalSeconds: BALLOON.statsIntervalSeconds }, needs: ['balloon-stats'] };

export async function balloonVm({ vm, runtime, run, task, skip }: BalloonCaseContext, options: BalloonVmOptions = {}): Promise<BalloonSubject> {
  requireCapabilities(skip, runtime, 'balloon', ...(options.needs ?? []));
  const sandbox = await vm({
    memoryMiB: BALLOON.memoryMiB,
    zramMiB: BALLOON.zramMiB,
    balloon: options.balloon ?? {},
    faults: options.faults,
  });
  const balloon = sandbox.balloon();
  if (!balloon) skip(`VM ${sandbox.name} of runtime ${runtime.name} lacks capability: balloon`);
  return { sandbox, balloon: balloon!, accel: runtime.accelerator, record: caseRecorder(task), seed: run.seed };
}
