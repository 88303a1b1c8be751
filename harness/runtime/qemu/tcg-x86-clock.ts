/**
 * Under TCG an x86 guest reads the host's TSC, but without the reference timers of a PC the microvm
 * guest often fails to calibrate it and hangs early in boot ("could not calculate TSC khz"). Telling
 * the kernel the frequency (the host's own TSC frequency) skips that calibration and keeps guest
 * time true, which the agent's read timeouts depend on.
 */
import { readFileSync } from 'node:fs';

let cached: number | undefined | null = null;

export function hostTscKhz(): number | undefined {
  if (cached !== null) return cached;
  cached = undefined;
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'ia32')) {
    try {
      const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
      // With constant_tsc the reported clock is the TSC's; elsewhere calibration is the better guess.
      const constantTsc = /^flags\s*:.*\bconstant_tsc\b/m.test(cpuinfo);
      const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
      if (constantTsc && mhz) cached = Math.round(Number(mhz[1]) * 1000);
    } catch {
      // No /proc/cpuinfo: let the guest calibrate.
    }
  }
  return cached;
}

export function tcgClockKernelArgs(): string[] {
  const khz = hostTscKhz();
  return khz ? [`tsc_early_khz=${khz}`] : [];
}
