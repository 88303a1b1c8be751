/**
 * Choosing the accelerator. Opening /dev/kvm proves nothing (a nested PVM host accepts KVM_CREATE_VM
 * and then fails every ordinary guest), so `auto` uses KVM or HVF only after a trivial guest really
 * booted on it, and says why when it falls back to TCG. A user who demanded an accelerator gets a
 * clear error instead of a silent fallback.
 */
import { BOOT } from '../config/constants.ts';
import type { AcceleratorChoice } from '../config/settings.ts';
import { bootUntilConsoleLine } from '../runtime/qemu/console-boot.ts';
import type { MachineProfile } from '../runtime/qemu/machine.ts';
import type { Accelerator } from '../runtime/types.ts';
import { hasHypervisorFramework, hostCpuName, nativeGuestArch, thisHost, type HostPlatform } from './platform.ts';

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

/** Boots a probe guest on `accel`; undefined when it booted, else why not. */
export type ProbeBoot = (accel: Accelerator, target: ProbeTarget) => Promise<string | undefined>;

export interface ProbeHost {
  platform: HostPlatform;
  bootProbe: ProbeBoot;
}

/** What the initramfs prints and then powers off, when booted with gauntlet.probe=1. */
export const PROBE_LINE = 'GAUNTLET-PROBE-OK';

const realHost: ProbeHost = { platform: thisHost, bootProbe: bootProbeGuest };

export async function chooseAccelerator(
  requested: AcceleratorChoice,
  target: ProbeTarget,
  host: ProbeHost = realHost,
): Promise<AcceleratorDecision> {
  if (requested === 'tcg') return { accel: 'tcg', requested, reason: 'TCG requested' };
  if (requested !== 'auto') {
    const problem = await whyUnusable(requested, target, host);
    if (problem) throw new AcceleratorUnavailableError(`${requested.toUpperCase()} was requested but is unusable: ${problem}`);
    return { accel: requested, requested, reason: `${requested.toUpperCase()} requested and a probe guest booted on it` };
  }
  const hardware = hardwareAccelerator(host.platform);
  const problem = await whyUnusable(hardware, target, host);
  if (!problem) return { accel: hardware, requested, reason: `${hardware.toUpperCase()} auto-selected: a probe guest booted on it` };
  return { accel: 'tcg', requested, reason: `${hardware.toUpperCase()} unusable (${problem}); falling back to TCG` };
}

/** The accelerator `auto` tries before TCG on this host. */
function hardwareAccelerator(host: Pick<HostPlatform, 'platform'>): Exclude<Accelerator, 'tcg'> {
  return host.platform === 'darwin' ? 'hvf' : 'kvm';
}

/** Undefined when a probe guest booted on `accel`, else the reason it did not. */
async function whyUnusable(accel: Accelerator, target: ProbeTarget, host: ProbeHost): Promise<string | undefined> {
  const precondition = await hostSupport(accel, target, host.platform);
  if (precondition) return precondition;
  const failure = await host.bootProbe(accel, target);
  return failure === undefined ? undefined : `a probe guest did not boot: ${failure}`;
}

/** Checks that cost no boot: the OS, the guest architecture, the device or sysctl. */
async function hostSupport(accel: Accelerator, target: ProbeTarget, platform: HostPlatform): Promise<string | undefined> {
  if (accel === 'tcg') return undefined;
  const name = accel.toUpperCase();
  if (accel === 'kvm' && platform.platform !== 'linux') return `KVM exists only on Linux (host is ${platform.platform})`;
  if (accel === 'hvf' && platform.platform !== 'darwin') return `HVF exists only on macOS (host is ${platform.platform})`;
  // A hardware accelerator runs the host's own instruction set; anything else is emulation (TCG).
  const guestArch = target.machine.arch;
  if (nativeGuestArch(platform) !== guestArch) return `${name} cannot run an ${guestArch} guest on an ${hostCpuName(platform)} host`;
  if (accel === 'kvm') {
    return (await platform.canReadWrite('/dev/kvm')) ? undefined : '/dev/kvm is missing or not accessible to this user';
  }
  return (await hasHypervisorFramework(platform)) ? undefined : 'kern.hv_support is not 1 (no Hypervisor.framework support)';
}

async function bootProbeGuest(accel: Accelerator, target: ProbeTarget): Promise<string | undefined> {
  const result = await bootUntilConsoleLine(
    target.qemuBinary,
    {
      machine: target.machine,
      accel,
      kernel: target.kernel,
      initramfs: target.initramfs,
      memoryMiB: BOOT.probeMemoryMiB,
      vcpus: 1,
      kernelArgs: ['gauntlet.probe=1'],
    },
    PROBE_LINE,
    BOOT.probeDeadlineMs,
  );
  return result.lineAfterMs === undefined ? result.failure : undefined;
}
