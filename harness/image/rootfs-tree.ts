/**
 * The root disk's content as a plain directory, which mkfs.ext4 -d turns into a filesystem without
 * loop mounts or root. Only what the agent and the cases need: busybox, the two scripts, fstab, workloads.
 */
import { chmod, copyFile, lstat, lutimes, mkdir, open, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appletLinks } from './busybox.ts';
import { GUEST_CMDLINE_LIB } from './initramfs.ts';
import { ROOTFS_PATHS } from '../config/guest-paths.ts';
import { listInputFiles } from './recipe.ts';

export interface RootfsTreeInput {
  /** Directory to create; must not exist. */
  dir: string;
  busyboxFile: string;
  applets: string[];
  rootfsInit: string;
  agent: string;
  cmdlineLib: string;
  fstab: string;
  /** fixtures/workloads; copied to /usr/libexec/gauntlet when it exists. */
  workloadsDir: string;
  recipeHash: string;
  mtime: number;
}


const DIRS: Record<string, number> = {
  bin: 0o755, dev: 0o755, etc: 0o755, mnt: 0o755, proc: 0o555, root: 0o700, run: 0o755, sbin: 0o755,
  sys: 0o555, tmp: 0o1777, lib: 0o755, 'lib/gauntlet': 0o755, usr: 0o755, 'usr/bin': 0o755, 'usr/sbin': 0o755, 'usr/libexec': 0o755,
  [ROOTFS_PATHS.workloads]: 0o755,
};

export async function buildRootfsTree(input: RootfsTreeInput): Promise<void> {
  const at = (rel: string) => path.join(input.dir, rel);
  await mkdir(input.dir);
  for (const [rel, mode] of Object.entries(DIRS)) {
    await mkdir(at(rel), { recursive: true });
    await chmod(at(rel), mode);
  }

  await copyFile(input.busyboxFile, at('bin/busybox'));
  await chmod(at('bin/busybox'), 0o755);
  // Every applet in /bin (on every PATH); paths outside /bin are not needed by anything we run.
  for (const name of appletLinks(input.applets)) await symlink('busybox', at(`bin/${name}`));

  await copyFile(input.rootfsInit, at(ROOTFS_PATHS.init));
  await chmod(at(ROOTFS_PATHS.init), 0o755);
  await copyFile(input.agent, at(ROOTFS_PATHS.agent));
  await copyFile(input.cmdlineLib, at(GUEST_CMDLINE_LIB));
  await chmod(at(ROOTFS_PATHS.agent), 0o755);
  await copyFile(input.fstab, at('etc/fstab'));
  for (const rel of await listInputFiles(input.workloadsDir)) {
    const target = at(path.join(ROOTFS_PATHS.workloads, rel));
    await mkdir(path.dirname(target), { recursive: true });
    const source = path.join(input.workloadsDir, rel);
    await copyFile(source, target);
    // Cases run workloads directly: a script needs its exec bit even if the checkout lost it.
    await chmod(target, (await isExecutable(source)) ? 0o755 : 0o644);
  }

  // Written at boot to /run (tmpfs): nothing on / is touched at boot, so a full disk still boots.
  await symlink('../run/inittab', at('etc/inittab'));
  await writeFile(at('etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n', { mode: 0o644 });
  await writeFile(at('etc/group'), 'root:x:0:\n', { mode: 0o644 });
  // Pre-existing file the disk cases read back after filling /: reading must not need free space.
  await writeFile(at(ROOTFS_PATHS.release), `${input.recipeHash}\n`, { mode: 0o644 });

  await stampTimes(input.dir, input.mtime);
}

async function isExecutable(file: string): Promise<boolean> {
  if (((await stat(file)).mode & 0o111) !== 0) return true;
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

/** Children first, so writing a child does not bump its directory's mtime afterwards. */
async function stampTimes(dir: string, mtime: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await stampTimes(full, mtime);
    else await lutimes(full, mtime, mtime);
  }
  if ((await lstat(dir)).isDirectory()) await lutimes(dir, mtime, mtime);
}
