/**
 * What this host offers an accelerator without booting anything: the OS, the guest architecture, the
 * device or sysctl. A runtime decides with these facts and then proves the accelerator with its own
 * VMM (a yes here means only "worth trying": a nested PVM host opens /dev/kvm and fails every guest).
 */
import type { Accelerator, GuestArch } from '../contract/run-target.ts';
import { hasHypervisorFramework, hostCpuName, nativeGuestArch, type HostPlatform } from './platform.ts';

/** The accelerator `auto` tries before TCG on this host. */
export function hardwareAccelerator(host: Pick<HostPlatform, 'platform'>): Exclude<Accelerator, 'tcg'> {
  return host.platform === 'darwin' ? 'hvf' : 'kvm';
}

/** Undefined when the host could run a `guestArch` guest on `accel`, else why not. */
export async function hostSupport(accel: Accelerator, guestArch: GuestArch, platform: HostPlatform): Promise<string | undefined> {
  if (accel === 'tcg') return undefined;
  const name = accel.toUpperCase();
  if (accel === 'kvm' && platform.platform !== 'linux') return `KVM exists only on Linux (host is ${platform.platform})`;
  if (accel === 'hvf' && platform.platform !== 'darwin') return `HVF exists only on macOS (host is ${platform.platform})`;
  // A hardware accelerator runs the host's own instruction set; anything else is emulation (TCG).
  if (nativeGuestArch(platform) !== guestArch) return `${name} cannot run an ${guestArch} guest on an ${hostCpuName(platform)} host`;
  if (accel === 'kvm') {
    return (await platform.canReadWrite('/dev/kvm')) ? undefined : '/dev/kvm is missing or not accessible to this user';
  }
  return (await hasHypervisorFramework(platform)) ? undefined : 'kern.hv_support is not 1 (no Hypervisor.framework support)';
}
