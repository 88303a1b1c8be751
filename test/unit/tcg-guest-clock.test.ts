import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tcgGuestClockArgs } from '../../harness/runtime/qemu/tcg-guest-clock.ts';

describe('tcgGuestClockArgs', () => {
  it('leaves hardware accelerators and non-x86 guests alone: they know their clock', () => {
    expect(tcgGuestClockArgs('kvm', 'x86_64')).toEqual([]);
    expect(tcgGuestClockArgs('hvf', 'x86_64')).toEqual([]);
    expect(tcgGuestClockArgs('tcg', 'aarch64')).toEqual([]);
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('tells an x86 TCG guest the host TSC rate from /proc/cpuinfo, and that the TSC is reliable', () => {
    const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))![1]);
    expect(tcgGuestClockArgs('tcg', 'x86_64')).toEqual([`tsc_early_khz=${Math.round(mhz * 1000)}`, 'tsc=reliable']);
  });
});
