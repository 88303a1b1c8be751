/**
 * Machine profiles: how a guest architecture and board want their devices, console and CPU spelled.
 * microvm has no PCI (virtio-mmio devices, found by the Debian kernel through ACPI); q35 and virt use PCI.
 */
import { SettingsError } from '../../config/settings.ts';
import type { Accelerator, GuestArch } from '../../contract/run-target.ts';

export type MachineName = 'microvm' | 'q35' | 'virt';

export interface MachineProfile {
  name: MachineName;
  arch: GuestArch;
  qemuBinary: string;
  machineArg: string;
  /** Device-model suffix for virtio devices on this board's bus. */
  virtioSuffix: '-device' | '-pci';
  consoleDevice: string;
  /** `-cpu` under TCG: a model QEMU emulates fully and fast. KVM and HVF always pass the host's CPU. */
  tcgCpu: string;
}

const PROFILES: Record<MachineName, MachineProfile> = {
  microvm: {
    name: 'microvm',
    arch: 'x86_64',
    qemuBinary: 'qemu-system-x86_64',
    machineArg: 'microvm,acpi=on',
    virtioSuffix: '-device',
    consoleDevice: 'ttyS0',
    // RDRAND spares the guest a second of waiting for its entropy pool at first use of urandom.
    tcgCpu: 'qemu64,+rdrand',
  },
  q35: {
    name: 'q35',
    arch: 'x86_64',
    qemuBinary: 'qemu-system-x86_64',
    machineArg: 'q35',
    virtioSuffix: '-pci',
    consoleDevice: 'ttyS0',
    tcgCpu: 'qemu64,+rdrand',
  },
  virt: {
    name: 'virt',
    arch: 'aarch64',
    qemuBinary: 'qemu-system-aarch64',
    // GICv3, the interrupt controller of current arm64 hosts; the board's default v2 caps it at 8 vCPUs.
    machineArg: 'virt,gic-version=3',
    // PCI, although virtio-mmio boots faster (measured here, TCG, 4 boots each, alternating: kernel
    // start to /init 0.95-2.0 s vs 1.3-2.5 s, /init to the root disk 0.25-0.34 s vs 0.41-0.47 s): virt
    // hands -device options to its mmio transports from the highest address down and the kernel
    // names them the other way round, so with a scratch disk the root disk became /dev/vdb and
    // discard-zeroes failed. PCI names disks in slot order, the command line's, on every arch.
    virtioSuffix: '-pci',
    // The virt board's PL011 UART.
    consoleDevice: 'ttyAMA0',
    // Never plain `max`: QEMU < 10 emulates its QARMA pointer authentication at great cost. Measured
    // here (QEMU 7.2, TCG, 3 boots each, to the initramfs's first line): cortex-a72 1.3-1.6 s,
    // max,pauth-impdef=on 2.0-2.3 s (plain max 5.7 s in the field notes). The guest needs nothing
    // beyond ARMv8.0, so the faster model wins. Always named: the board's default CPU is 32-bit.
    tcgCpu: 'cortex-a72',
  },
};

export const MACHINE_NAMES = Object.keys(PROFILES) as MachineName[];

export function machineProfile(name: MachineName): MachineProfile {
  return PROFILES[name];
}

export function defaultMachine(arch: GuestArch): MachineName {
  return arch === 'aarch64' ? 'virt' : 'microvm';
}

/** The profile a run's settings choose (`--machine`, else the arch's default); a name QEMU's profiles lack, or of another arch, is refused. */
export function qemuMachine(settings: { arch: GuestArch; machine?: string | undefined }): MachineProfile {
  const name = settings.machine ?? defaultMachine(settings.arch);
  if (!MACHINE_NAMES.includes(name as MachineName)) throw new SettingsError(`--machine (GAUNTLET_MACHINE) must be one of ${MACHINE_NAMES.join(', ')} (got ${name})`);
  const machine = machineProfile(name as MachineName);
  if (machine.arch !== settings.arch) throw new SettingsError(`machine ${machine.name} does not run ${settings.arch} guests`);
  return machine;
}

/** The QEMU binary a run boots: `--qemu`, else the machine's own. The one place that default is decided. */
export function qemuBinaryFor(settings: { arch: GuestArch; machine?: string | undefined; vmmBinary?: string | undefined }): string {
  return settings.vmmBinary ?? qemuMachine(settings).qemuBinary;
}

/** Hardware accelerators pass the host CPU through; TCG emulates the profile's model. */
export function acceleratorArgs(accel: Accelerator, machine: Pick<MachineProfile, 'tcgCpu'>): string[] {
  // A bounded translation cache keeps the VMM's host memory about the guest, not about TCG's default
  // 1 GiB.
  if (accel === 'tcg') return ['-accel', 'tcg,tb-size=128', '-cpu', machine.tcgCpu];
  return ['-accel', accel, '-cpu', 'host'];
}

