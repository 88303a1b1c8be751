/**
 * QEMU's root-disk bases are qcow2: converted once from the image layer's raw ext4, so a base holds
 * only the blocks that carry data, and each VM's qcow2 overlay sits on it.
 */
import { execa } from 'execa';
import { hostTool } from '../../image/host-tools.ts';
import type { DiskFormat } from '../../image/index.ts';

export const QEMU_BASE_FORMAT: DiskFormat = {
  extension: 'qcow2',
  async convert(raw, to) {
    await execa(await hostTool('qemu-img'), ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, to]);
  },
};
