/**
 * Runtime kind "qemu", the reference runtime, as the registry (runtime/kinds.ts) knows it: its own
 * flags' check (`--qemu-package`), its preflight and target (a packaged build fetched first), opening it from a prepared target (a test worker, the bench, the served
 * adapter), doctor's lines, the bench's raw boot, the bases an exported image carries, and itself
 * served as an adapter.
 */
import { CASE_ROOTFS, VM_DEFAULTS } from '../../config/constants.ts';
import type { RunSettings } from '../../config/settings.ts';
import type { PreparedTarget } from '../../contract/prepared-target.ts';
import type { RootfsLayout } from '../../image/types.ts';
import { describeQemuMachine } from './describe-machine.ts';
import { qemuBaseFormat } from './disk-format.ts';
import { qemuBinaryFor } from './machine.ts';
import { openQemuRuntime } from './open-qemu.ts';
import { prepareQemuTarget } from './prepare-target.ts';
import { qemuPackageProblem } from './qemu-package.ts';
import { qemuRawBoot } from './raw-boot.ts';
import { servedQemu } from './served.ts';
import { FAULT_SHAPES } from './tuning.ts';

/**
 * Every root-disk layout the suites and fault tests ask for (vm-shape.ts turns a spec into one):
 * built before export, since building one takes mkfs.ext4 and debugfs, which a macOS host does not
 * have, and the importing host must run every case.
 */
const CASE_ROOTFS_LAYOUTS: RootfsLayout[] = [
  { sizeMiB: VM_DEFAULTS.rootfsMiB },
  { sizeMiB: VM_DEFAULTS.rootfsMiB, inodes: CASE_ROOTFS.inodes },
  { sizeMiB: FAULT_SHAPES.oversizedRootfsMiB },
];

function guestOf(target: PreparedTarget) {
  return { kernel: target.kernel ?? target.image.kernel, initramfs: target.image.initramfs };
}

export const qemuKind = {
  name: 'qemu',
  settingsProblem: (settings: RunSettings) => (settings.vmmPackage === undefined ? undefined : qemuPackageProblem(settings.vmmPackage)),
  prepare: async (settings: RunSettings, onProgress: (line: string) => void) => (await prepareQemuTarget(settings, onProgress)).resolve,
  open: async (target: PreparedTarget) => openQemuRuntime(target),
  describe: describeQemuMachine,
  rawBoot: (target: PreparedTarget) => qemuRawBoot(target, target.accelerator, guestOf(target)),
  imageNeeds: (settings: RunSettings) => ({ format: qemuBaseFormat(qemuBinaryFor(settings)), layouts: CASE_ROOTFS_LAYOUTS }),
  serve: () => servedQemu(),
};
