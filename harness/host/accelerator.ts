/**
 * Choosing the accelerator. Opening /dev/kvm proves nothing (a nested PVM host accepts KVM_CREATE_VM
 * and then fails every ordinary guest), so `auto` uses KVM or HVF only after a trivial guest really
 * booted on it, and says why when it falls back to TCG. A user who demanded an accelerator gets a
 * clear error instead of a silent fallback.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { BOOT } from '../config/constants.ts';
import type { AcceleratorChoice } from '../config/settings.ts';
import { bootUntilConsoleLine } from '../runtime/qemu/console-boot.ts';
import type { MachineProfile } from '../runtime/qemu/machine.ts';
import type { Accelerator } from '../runtime/types.ts';

export interface AcceleratorDecision {
  accel: Accelerator;
  requested: AcceleratorChoice;
  /** One line a person can act on: why this accelerator, and why not the others. */
  reason: string;
}

export class AcceleratorUnavailableError extends Error {
  override name = 'AcceleratorUnavailableError';
}

export interface ProbeTarget {
  qemuBinary: string;
  machine: MachineProfile;
  kernel: string;
  initramfs: string;
}

/** What the initramfs prints and then powers off, when booted with gauntlet.probe=1. */
export const PROBE_LINE = 'GAUNTLET-PROBE-OK';

export async function chooseAccelerator(requested: AcceleratorChoice, target: ProbeTarget): Promise<AcceleratorDecision> {
  if (requested === 'tcg') return { accel: 'tcg', requested, reason: 'TCG requested' };
  if (requested !== 'auto') {
    const problem = await whyUnusable(requested, target);
    if (problem) throw new AcceleratorUnavailableError(`${requested.toUpperCase()} was requested but is unusable: ${problem}`);
    return { accel: requested, requested, reason: `${requested.toUpperCase()} requested and a probe guest booted on it` };
  }
  const hardware: Accelerator = process.platform === 'darwin' ? 'hvf' : 'kvm';
  const problem = await whyUnusable(hardware, target);
  if (!problem) return { accel: hardware, requested, reason: `${hardware.toUpperCase()} auto-selected: a probe guest booted on it` };
  return { accel: 'tcg', requested, reason: `${hardware.toUpperCase()} unusable (${problem}); falling back to TCG` };
}

/** Undefined when a probe guest booted on `accel`, else the reason it did not. */
async function whyUnusable(accel: Accelerator, target: ProbeTarget): Promise<string | undefined> {
  const precondition = await hostSupport(accel);
  if (precondition) return precondition;
  const result = await bootUntilConsoleLine(
    target.qemuBinary,
    {
      machine: target.machine,
      accel,
      kernel: target.kernel,
      initramfs: target.initramfs,
      memoryMiB: 128,
      vcpus: 1,
      kernelArgs: ['gauntlet.probe=1'],
    },
    PROBE_LINE,
    BOOT.probeDeadlineMs,
  );
  if (result.lineAfterMs !== undefined) return undefined;
  return `a probe guest did not boot: ${result.failure}`;
}

async function hostSupport(accel: Accelerator): Promise<string | undefined> {
  if (accel === 'kvm') {
    if (process.platform !== 'linux') return 'KVM exists only on Linux';
    try {
      await access('/dev/kvm', constants.R_OK | constants.W_OK);
      return undefined;
    } catch {
      return '/dev/kvm is missing or not accessible to this user';
    }
  }
  if (accel === 'hvf') {
    if (process.platform !== 'darwin') return 'HVF exists only on macOS';
    const { stdout } = await execa('sysctl', ['-n', 'kern.hv_support'], { reject: false });
    return stdout.trim() === '1' ? undefined : 'kern.hv_support is not 1 (no Hypervisor.framework support)';
  }
  return undefined;
}
