/**
 * What a VM of a spec is made of, apart from its name and its files: its QEMU command line and the base
 * of its root disk. A VM boots from exactly this, and a saved state serves every spec of the same
 * shape, however the spec spells it (a default given or left out, keys in any order).
 */
import { VM_DEFAULTS } from '../../config/constants.ts';
import { FAULT_SHAPES } from './tuning.ts';
import type { Fault } from '../../contract/faults.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import type { Sandbox, SandboxSpec } from '../../contract/sandbox.ts';
import { qemuArgs, type VmPaths } from './command-line.ts';
import { guestKernelArgs } from './guest-kernel-args.ts';
import type { MachineProfile } from './machine.ts';

export type ResolvedSpec = Sandbox['spec'];

/** What every VM of one runtime shares: the board, the accelerator and the guest's kernel and initramfs. */
export interface VmTarget {
  machine: MachineProfile;
  accel: Accelerator;
  kernel: string;
  initramfs: string;
}

export function resolveSpec(spec: SandboxSpec): ResolvedSpec {
  return { ...spec, memoryMiB: spec.memoryMiB ?? VM_DEFAULTS.memoryMiB, vcpus: spec.vcpus ?? VM_DEFAULTS.vcpus };
}

/** The read-only base the VM's root overlay starts from. */
export function rootBaseShape(spec: SandboxSpec): { sizeMiB: number; inodes: number | undefined } {
  const faults = new Set(spec.faults ?? []);
  return {
    sizeMiB: faults.has('oversized-rootfs') ? FAULT_SHAPES.oversizedRootfsMiB : (spec.disk?.rootfsMiB ?? VM_DEFAULTS.rootfsMiB),
    inodes: faults.has('rootfs-inodes-ignored') ? undefined : spec.disk?.rootfsInodes,
  };
}

/**
 * QEMU's arguments for one boot of a VM of `spec`. `unlockedImage` is the one image opened without
 * QEMU's image locking (the restore-shares-overlay fault).
 */
export function vmCommandLine(spec: ResolvedSpec, target: VmTarget, paths: VmPaths, incoming?: { unlockedImage?: string }): string[] {
  const faults = new Set<Fault>(spec.faults ?? []);
  const requested = spec.balloon || {};
  return qemuArgs({
    ...target,
    memoryMiB: spec.memoryMiB,
    memoryLeftToVmm: faults.has('vmm-default-memory'),
    vcpus: spec.vcpus,
    kernelArgs: guestKernelArgs(spec, target.accel),
    paths,
    balloon: spec.balloon === false ? false : {
      ...requested,
      freePageReporting: (requested.freePageReporting ?? false) && !faults.has('no-free-page-reporting'),
      deflateOnOom: (requested.deflateOnOom ?? false) && !faults.has('no-deflate-on-oom'),
    },
    discard: (spec.disk?.discard ?? true) && !faults.has('no-discard'),
    writeErrorPolicy: faults.has('host-write-errors-reported') ? 'report' : (spec.disk?.writeErrorPolicy ?? 'enospc'),
    readErrorPolicy: spec.disk?.readErrorPolicy ?? 'report',
    hostStorageControl: spec.disk?.hostStorageControl ?? false,
    ...(faults.has('io-throttle-starves') ? { writeLimit: FAULT_SHAPES.starvingWriteLimit } : {}),
    uncappedConsoleFile: faults.has('console-log-uncapped'),
    lockGuestMemory: faults.has('guest-memory-locked'),
    strayMemory: faults.has('vmm-stray-memory'),
    incoming: incoming !== undefined,
    ...(incoming?.unlockedImage ? { unlockedImage: incoming.unlockedImage } : {}),
  });
}
