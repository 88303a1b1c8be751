/** A balloon case reads the runtime's floor and tolerance once they are within the catalogue's bounds. */
import { expectCatalogueLimits } from '../../harness/assert/balloon-catalogue.ts';
import type { BalloonControl, BalloonLimits } from '../../harness/contract/balloon.ts';

/** The control's reported limits, once they are within the catalogue's bounds. */
export async function catalogueBalloonLimits(balloon: BalloonControl): Promise<BalloonLimits> {
  const limits = await balloon.limits();
  expectCatalogueLimits(limits);
  return limits;
}
