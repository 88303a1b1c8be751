/**
 * What the catalogue lets any runtime's balloon control claim, and the check of it. A runtime reports
 * its own floor and tolerance (BalloonControl.limits()); the balloon and snapshot cases and
 * `runtime check` first hold them to these bounds, then judge the runtime by what it reported: a
 * runtime cannot pass by reporting a wide tolerance or a floor that makes the clamp case ask for
 * nothing below it. The balloon suite sizes its targets from these (suites/balloon/limits.ts).
 */
import type { BalloonLimits } from '../contract/balloon.ts';
import { expectAtMost, expectWithin } from './tolerance.ts';

export const BALLOON_CATALOGUE = {
  /**
   * The most slack a runtime may claim between a target and where the balloon rests: the snapshot cases'
   * "within 16 MiB". At rest a balloon is at its target to the guest page (the virtio spec counts it in
   * 4 KiB pages; Linux moves it in requests of 256 of them, 1 MiB); the slack is how far a move may
   * still be from done when a control reports it. 16 requests, an eighth of the 128 MiB the cases move:
   * a balloon that did not move is 8× outside it.
   */
  maxToleranceMiB: 16,
  /** The highest floor a runtime may keep for the balloon cases' 256 MiB guest: a higher one could not park a VM where the warm pool does. */
  maxMinimumMiB: 128,
  /**
   * The floor less the tolerance must be above this, inflate-below-minimum-clamps' target: else a
   * balloon that went all the way to the target would pass as clamped.
   */
  floorAboveMiB: 16,
} as const;

export function expectCatalogueLimits({ minimumMiB, toleranceMiB }: BalloonLimits): void {
  expectWithin(toleranceMiB, 0, BALLOON_CATALOGUE.maxToleranceMiB, 'the balloon tolerance the runtime reports', 'MiB');
  expectAtMost(minimumMiB, BALLOON_CATALOGUE.maxMinimumMiB, 'the balloon floor the runtime reports', 'MiB');
  if (!(minimumMiB - toleranceMiB > BALLOON_CATALOGUE.floorAboveMiB)) {
    throw new Error(
      `the balloon floor the runtime reports, less its tolerance: expected above ${BALLOON_CATALOGUE.floorAboveMiB} MiB, saw ${minimumMiB} − ${toleranceMiB} MiB`,
    );
  }
}
