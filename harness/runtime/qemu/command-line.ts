/** Builds QEMU's argument list for one VM from its spec (the machine's and accelerator's flags come from machine.ts). */
import type { BalloonOptions } from '../../contract/balloon.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { acceleratorArgs, type MachineProfile } from './machine.ts';
import { tcgGuestClockArgs } from './tcg-guest-clock.ts';

export interface VmPaths {
  qmpSocket: string;
  /** A second QMP monitor, for balloon control clients that connect and close on their own. */
  controlSocket: string;
  agentSocket: string;
  /** The serial console: QEMU writes it into this FIFO, the harness keeps it capped in consoleLog. */
  consolePipe: string;
  consoleLog: string;
  pidFile: string;
  rootOverlay: string;
  scratchOverlay?: string;
}

/** What any boot of our kernel needs, with or without devices: VMs, the accelerator probe, the benchmark. */
export interface KernelBootInput {
  machine: MachineProfile;
  accel: Accelerator;
  kernel: string;
  initramfs: string;
  memoryMiB: number;
  /** Fault vmm-default-memory: no memory size is given, so the guest gets QEMU's own default. */
  memoryLeftToVmm?: boolean;
  vcpus: number;
  kernelArgs: string[];
}

export interface CommandLineInput extends KernelBootInput {
  paths: VmPaths;
  balloon: BalloonOptions | false;
  discard: boolean;
  writeErrorPolicy: 'stop' | 'report' | 'enospc';
  readErrorPolicy: 'stop' | 'report';
  /** The root drive as qcow2 → raw → file with named nodes, so the storage under its image can be swapped while it runs. */
  hostStorageControl?: boolean;
  /** Write limits of every drive (QEMU throttling); none when undefined. */
  writeLimit?: { iops: number; bytesPerSecond: number };
  /** Fault console-log-uncapped: QEMU writes consoleLog itself, as long as the guest writes. */
  uncappedConsoleFile?: boolean;
  /** Fault guest-memory-locked: all guest memory locked, so what the balloon frees never leaves the VMM. */
  lockGuestMemory?: boolean;
  /** Fault vmm-stray-memory: a preallocated memory backend of twice the guest's memory that no device uses. */
  strayMemory?: boolean;
  /** Start paused, waiting for a saved state to be loaded (a restore) instead of booting. */
  incoming?: boolean;
  /** Fault restore-shares-overlay: this image is opened without QEMU's image locking, so two VMMs write it. */
  unlockedImage?: string;
}

export const AGENT_PORT_NAME = 'gauntlet.agent';
export const BALLOON_DEVICE_ID = 'balloon0';
/** Node names of the root drive under hostStorageControl: the raw layer whose file child is swapped, and the image file. */
export const ROOT_STORAGE_NODE = 'root-storage';
export const ROOT_FILE_NODE = 'root-file';
/** The agent port's device id: QEMU's VSERPORT_CHANGE event names it when the guest opens the port. */
export const AGENT_PORT_DEVICE_ID = 'agentport';

export function kernelBootArgs(input: KernelBootInput): string[] {
  return [
    '-M', input.machine.machineArg,
    ...acceleratorArgs(input.accel, input.machine),
    ...(input.memoryLeftToVmm ? [] : ['-m', String(input.memoryMiB)]),
    '-smp', String(input.vcpus),
    '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
    '-kernel', input.kernel,
    '-initrd', input.initramfs,
    '-append', [
      `console=${input.machine.consoleDevice}`,
      'panic=-1',
      ...tcgGuestClockArgs(input.accel, input.machine.arch),
      ...input.kernelArgs,
    ].join(' '),
  ];
}

/** A virtio device model as this board's bus spells it (virtio-blk-device on mmio, virtio-blk-pci on PCI). */
function virtioModel(machine: MachineProfile, model: 'blk' | 'serial' | 'balloon'): string {
  return `virtio-${model}${machine.virtioSuffix}`;
}

/** Every device model a VM of this board may be given: the preflight checks the QEMU build offers them. */
export function deviceModels(machine: MachineProfile): string[] {
  return [virtioModel(machine, 'blk'), virtioModel(machine, 'serial'), 'virtserialport', virtioModel(machine, 'balloon')];
}

export function qemuArgs(input: CommandLineInput): string[] {
  const { machine, paths } = input;
  const virtio = (model: 'blk' | 'serial' | 'balloon') => virtioModel(machine, model);
  const storage = (id: string, file: string) =>
    id === 'root' && input.hostStorageControl
      ? [
          'file.driver=raw',
          `file.node-name=${ROOT_STORAGE_NODE}`,
          'file.file.driver=file',
          `file.file.filename=${file}`,
          `file.file.node-name=${ROOT_FILE_NODE}`,
        ]
      : [`file=${file}`, ...(file === input.unlockedImage ? ['file.locking=off'] : [])];
  const limits = input.writeLimit ? [`throttling.iops-write=${input.writeLimit.iops}`, `throttling.bps-write=${input.writeLimit.bytesPerSecond}`] : [];
  const drive = (id: string, file: string) => [
    '-drive',
    [
      `id=${id}`,
      ...storage(id, file),
      'format=qcow2',
      'if=none',
      `discard=${input.discard ? 'unmap' : 'ignore'}`,
      `werror=${input.writeErrorPolicy}`,
      `rerror=${input.readErrorPolicy}`,
      ...limits,
    ].join(','),
    '-device',
    `${virtio('blk')},drive=${id}`,
  ];
  const args = [
    ...kernelBootArgs(input),
    '-pidfile', paths.pidFile,
    // The console goes into a FIFO the harness holds open from before the spawn, so no boot line is lost.
    // Not a unix socket: the serial port sends each byte on its own, and a socket is full after a few
    // hundred one-byte sends (each its own buffer), where a FIFO packs them into 64 KiB (CONSOLE.readPauseMs in tuning.ts).
    '-chardev', `file,id=console,path=${input.uncappedConsoleFile ? paths.consoleLog : paths.consolePipe}`,
    '-serial', 'chardev:console',
    '-qmp', `unix:${paths.qmpSocket},server=on,wait=off`,
    '-chardev', `socket,id=control,path=${paths.controlSocket},server=on,wait=off`,
    '-mon', 'chardev=control,mode=control',
    // The root disk must be the first virtio-blk device: the guest mounts /dev/vda.
    ...drive('root', paths.rootOverlay),
    ...(paths.scratchOverlay ? drive('scratch', paths.scratchOverlay) : []),
    // Two ports (0 is kept for a console, the agent gets 1), not the default 31: the guest's virtio_console
    // sets up two queues per possible port, which took its probe 30 ms under TCG, 9 ms with two.
    '-device', `${virtio('serial')},id=agentbus,max_ports=2`,
    '-chardev', `socket,id=agent,path=${paths.agentSocket},server=on,wait=off`,
    '-device', `virtserialport,bus=agentbus.0,chardev=agent,name=${AGENT_PORT_NAME},id=${AGENT_PORT_DEVICE_ID}`,
  ];
  if (input.balloon) {
    const balloon = [`${virtio('balloon')}`, `id=${BALLOON_DEVICE_ID}`];
    balloon.push(`free-page-reporting=${input.balloon.freePageReporting ? 'on' : 'off'}`);
    balloon.push(`deflate-on-oom=${input.balloon.deflateOnOom ? 'on' : 'off'}`);
    args.push('-device', balloon.join(','));
  }
  if (input.lockGuestMemory) args.push('-overcommit', 'mem-lock=on');
  // Twice the guest's size, so it is never taken for the guest RAM mapping of the same size.
  if (input.strayMemory) args.push('-object', `memory-backend-ram,id=stray,size=${input.memoryMiB * 2}M,prealloc=on`);
  if (input.incoming) args.push('-S', '-incoming', 'defer');
  return args;
}
