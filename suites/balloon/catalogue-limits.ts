/**
 * A balloon case judges a runtime by the floor and tolerance its control reports, so first those must
 * be what the catalogue lets a runtime claim: a runtime cannot pass by reporting a wide tolerance or a
 * floor that makes the clamp case ask for nothing below it.
 */
import { expectAtMost, expectWithin } from '../../harness/assert/index.ts';
import type { BalloonControl, BalloonLimits } from '../../harness/contract/balloon.ts';
import { BALLOON_CATALOGUE } from './limits.ts';

/** The control's reported limits, once they are within the catalogue's bounds. */
export async function catalogueBalloonLimits(balloon: BalloonControl): Promise<BalloonLimits> {
  const limits = await balloon.limits();
  expectCatalogueLimits(limits);
  return limits;
}

export function expectCatalogueLimits({ minimumMiB, toleranceMiB }: BalloonLimits): void {
  expectWithin(toleranceMiB, 0, BALLOON_CATALOGUE.maxToleranceMiB, 'the balloon tolerance the runtime reports', 'MiB');
  expectAtMost(minimumMiB, BALLOON_CATALOGUE.maxMinimumMiB, 'the balloon floor the runtime reports', 'MiB');
  if (!(minimumMiB - toleranceMiB > BALLOON_CATALOGUE.floorAboveMiB)) {
    throw new Error(
      `the balloon floor the runtime reports, less its tolerance: expected above ${BALLOON_CATALOGUE.floorAboveMiB} MiB, saw ${minimumMiB} − ${toleranceMiB} MiB`,
    );
  }
}
