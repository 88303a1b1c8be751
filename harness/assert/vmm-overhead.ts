/** The VMM's own memory, as its runtime watched it, against the bound every VM is held to. */
import { VMM_OVERHEAD_BOUND } from '../config/constants.ts';
import type { Accelerator } from '../contract/run-target.ts';
import type { VmmOverheadWatch } from '../contract/sandbox.ts';
import { expectAtMost } from './tolerance.ts';

const MIB = 1024 * 1024;

/** Throws an assertion failure when the peak passed the accelerator's bound; returns the peak in MiB. */
export function expectOverheadWithinBound(watch: VmmOverheadWatch, accel: Accelerator, whose: string): number {
  const peakMiB = watch.peakBytes / MIB;
  const { ownMiB, translationCacheMiB } = VMM_OVERHEAD_BOUND;
  const cacheMiB = translationCacheMiB[accel];
  const bound = cacheMiB > 0 ? `${ownMiB} MiB of its own + ${cacheMiB} MiB of translation cache on ${accel}` : `${ownMiB} MiB on ${accel}`;
  expectAtMost(peakMiB, ownMiB + cacheMiB, `${whose}: the VMM's own memory (resident minus the guest RAM it holds) at its peak over ${watch.samples} looks (bound: ${bound})`, 'MiB');
  return peakMiB;
}
