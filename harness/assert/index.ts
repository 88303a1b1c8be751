export { expectAlive } from './alive.ts';
export { describeExecResult } from './describe-exec.ts';
export { ENOSPC_TEXT, expectEnospc, isEnospc } from './enospc.ts';
export {
  allocatedBytes,
  allocatedBytesOfAll,
  dirAllocatedBytes,
  expectReleased,
  releasedFraction,
  type ReleaseMeasurement,
} from './footprint.ts';
export { expectHealthyKernel, kernelLogProblems } from './kernel-log.ts';
export { meminfoMiB, parseMeminfo } from './meminfo.ts';
export { longestProgressGap, type ProgressGap } from './progress-gap.ts';
export { pollUntil, type PollOptions } from './poll.ts';
export { expectReleasedWithin, type ReleaseWithin } from './released-within.ts';
export { relativeChange, sampleUntilStable, type SamplePoint, type StableSample, type StableSamplingOptions } from './sample-until-stable.ts';
export { expectAtLeast, expectAtMost, expectWithin, withinTolerance } from './tolerance.ts';
