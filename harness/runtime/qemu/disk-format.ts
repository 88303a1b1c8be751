/**
 * QEMU's root-disk bases are qcow2: converted once from the image layer's raw ext4, so a base holds
 * only the blocks that carry data, and each VM's qcow2 overlay sits on it. Converted by the qemu-img
 * of the build under test (vm-files.ts), the one that makes the overlays.
 */
import { execa } from 'execa';
import type { DiskFormat } from '../../image/index.ts';
import { qemuImgBinary } from './vm-files.ts';

/** The bases of the QEMU build `qemuBinary`. */
export function qemuBaseFormat(qemuBinary: string): DiskFormat {
  const qemuImg = qemuImgBinary(qemuBinary);
  return {
    extension: 'qcow2',
    async convert(raw, to) {
      await execa(qemuImg, ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, to]);
    },
  };
}
