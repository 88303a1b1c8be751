/**
 * The initramfs: busybox, /init, and the modules /init loads. Kept minimal so the kernel unpacks it
 * fast (the boot benchmark starts counting at /init's first line); everything else is on the root disk.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { appletLinks } from './busybox.ts';
import { writeCpioNewc, type CpioEntry } from './cpio-newc.ts';
import { moduleListFile, type KernelModule } from './kernel-modules.ts';

/** Where the guest's scripts find their shared command-line parser, in the initramfs and on /. */
export const GUEST_CMDLINE_LIB = 'lib/gauntlet/cmdline.sh';

/** The line the initramfs prints first (fixtures/guest/initramfs-init.sh): a raw boot of the VMM ends there. */
export const FIRST_INIT_LINE = 'gauntlet-initramfs: start';

export interface InitramfsInput {
  init: Buffer;
  /** fixtures/guest/lib/cmdline.sh, which /init sources. */
  cmdlineLib: Buffer;
  busybox: Buffer;
  applets: string[];
  modules: KernelModule[];
  mtime: number;
}

export function initramfsEntries(input: InitramfsInput): CpioEntry[] {
  const dir = (path: string, mode = 0o755): CpioEntry => ({ path, type: 'dir', mode });
  return [
    ...['bin', 'dev', 'lib', 'lib/gauntlet', 'lib/modules', 'newroot', 'proc', 'sys'].map((p) => dir(p)),
    // The kernel opens /dev/console for /init's stdio before anything can mount devtmpfs.
    { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
    { path: 'init', type: 'file', mode: 0o755, data: input.init },
    { path: GUEST_CMDLINE_LIB, type: 'file', mode: 0o644, data: input.cmdlineLib },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: input.busybox },
    ...appletLinks(input.applets).map((name): CpioEntry => ({ path: `bin/${name}`, type: 'symlink', target: 'busybox' })),
    ...input.modules.map((m): CpioEntry => ({ path: `lib/modules/${m.name}.ko`, type: 'file', mode: 0o644, data: m.content })),
    { path: 'lib/modules/gauntlet.modules', type: 'file', mode: 0o644, data: Buffer.from(moduleListFile(input.modules)) },
  ];
}

/** gzip from zlib writes no name and a zero mtime in its header: the same archive gives the same bytes. */
export async function writeInitramfs(file: string, input: InitramfsInput): Promise<void> {
  const archive = writeCpioNewc(initramfsEntries(input), input.mtime);
  await writeFile(file, gzipSync(archive, { level: 9 }));
}
