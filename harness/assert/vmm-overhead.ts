/** The VMM's own memory, as its runtime watched it, against the bound every VM is held to. */
import { VMM_OVERHEAD_MIB } from '../config/constants.ts';
import type { Accelerator } from '../contract/run-target.ts';
import type { VmmOverheadWatch } from '../contract/sandbox.ts';
import { expectAtMost } from './tolerance.ts';

const MIB = 1024 * 1024;

/** Throws an assertion failure when the peak passed the accelerator's bound; returns the peak in MiB. */
export function expectOverheadWithinBound(watch: VmmOverheadWatch, accel: Accelerator, whose: string): number {
  const peakMiB = watch.peakBytes / MIB;
  const cache = accel === 'tcg' ? ', with TCG\'s translation cache' : '';
  expectAtMost(peakMiB, VMM_OVERHEAD_MIB[accel], `${whose}: the VMM's own memory (resident minus the guest RAM it holds) at its peak over ${watch.samples} looks, bound for ${accel}${cache}`, 'MiB');
  return peakMiB;
}
