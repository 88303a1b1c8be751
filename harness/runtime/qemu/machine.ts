/**
 * Machine profiles: how a guest architecture and board want their devices, console and CPU spelled.
 * microvm has no PCI (virtio-mmio devices, found by the Debian kernel through ACPI); q35 and virt use PCI.
 */
import type { Accelerator, GuestArch } from '../types.ts';

export type MachineName = 'microvm' | 'q35' | 'virt';

export interface MachineProfile {
  name: MachineName;
  arch: GuestArch;
  qemuBinary: string;
  machineArg: string;
  /** Device-model suffix for virtio devices on this board's bus. */
  virtioSuffix: '-device' | '-pci';
  consoleDevice: string;
}

const PROFILES: Record<MachineName, MachineProfile> = {
  microvm: {
    name: 'microvm',
    arch: 'x86_64',
    qemuBinary: 'qemu-system-x86_64',
    machineArg: 'microvm,acpi=on',
    virtioSuffix: '-device',
    consoleDevice: 'ttyS0',
  },
  q35: {
    name: 'q35',
    arch: 'x86_64',
    qemuBinary: 'qemu-system-x86_64',
    machineArg: 'q35',
    virtioSuffix: '-pci',
    consoleDevice: 'ttyS0',
  },
  virt: {
    name: 'virt',
    arch: 'aarch64',
    qemuBinary: 'qemu-system-aarch64',
    machineArg: 'virt',
    virtioSuffix: '-pci',
    consoleDevice: 'ttyAMA0',
  },
};

export const MACHINE_NAMES = Object.keys(PROFILES) as MachineName[];

export function machineProfile(name: MachineName): MachineProfile {
  return PROFILES[name];
}

export function defaultMachine(arch: GuestArch): MachineName {
  return arch === 'aarch64' ? 'virt' : 'microvm';
}

/** Hardware accelerators pass the host CPU through; TCG emulates a model it knows fully. */
export function acceleratorArgs(accel: Accelerator, arch: GuestArch): string[] {
  // A bounded translation cache keeps the VMM's host memory about the guest, not about TCG's default
  // 1 GiB. RDRAND spares the guest a second of waiting for its entropy pool at first use of urandom.
  if (accel === 'tcg') return ['-accel', 'tcg,tb-size=128', '-cpu', arch === 'aarch64' ? 'max' : 'qemu64,+rdrand'];
  return ['-accel', accel, '-cpu', 'host'];
}

