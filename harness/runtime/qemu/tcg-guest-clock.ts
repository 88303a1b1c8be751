/**
 * Under TCG an x86 guest reads the host's TSC, and its kernel measures the TSC rate against the PIT at
 * boot. On a loaded host the vCPU thread is descheduled in the middle of every measurement, all of them
 * fail ("tsc: Unable to calibrate against PIT"), and the kernel hangs before its console comes up.
 * Telling it the rate (tsc_early_khz) skips the measurement.
 *
 * The kernel's clocksource watchdog then checks the TSC against jiffies, which lose every tick that
 * falls while the vCPU thread is descheduled: three seconds into a boot it marks the TSC unstable and
 * keeps time by jiffies, so a busy guest's clock runs slow (a 20 s `timeout` took 25-27 s of the
 * host's beside three spinning cores, and 41.6 s in CI). The TSC it read is the host's own and is not
 * the one at fault, so it is declared reliable: the watchdog leaves it be.
 */
import { readFileSync } from 'node:fs';
import type { Accelerator, GuestArch } from '../../contract/run-target.ts';

const hostTscKhz = process.arch === 'x64' ? readHostTscKhz() : undefined;

export function tcgGuestClockArgs(accel: Accelerator, arch: GuestArch): string[] {
  if (accel !== 'tcg' || arch !== 'x86_64' || hostTscKhz === undefined) return [];
  return [`tsc_early_khz=${hostTscKhz}`, 'tsc=reliable'];
}

/**
 * "cpu MHz" is the kernel's TSC rate inside a VM (as on CI runners) and on hosts without frequency
 * scaling; where it is a current core frequency instead, the guest still boots, with a clock that drifts.
 */
function readHostTscKhz(): number | undefined {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  return mhz ? Math.round(Number(mhz[1]) * 1000) : undefined;
}
