/**
 * Read-only bases of the root disk, one per (size, inode count) and disk format. Each VM gets a thin
 * overlay on one. Built with mkfs.ext4 -d (no loop mount, no root) as a raw ext4 file, then stored in
 * the format the runtime asked for (it converts; see DiskFormat). Several test workers may ask for
 * the same base at once: each builds in its own temp dir and the first to link its result into place wins.
 */
import { createHash } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { IMAGE_FILES, rootfsBasePath } from './cache-paths.ts';
import { hostTool } from './host-tools.ts';
import { sourceDateEpoch } from './reproducible.ts';
import { RAW_DISK, type DiskFormat, type GuestImage, type RootfsLayout } from './types.ts';
import { processExists } from '../host/process-exists.ts';

const TMP_PREFIX = '.tmp-';

/** A UUID derived from the inputs: the same image and layout always give the same filesystem. */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  // Shaped as a version-4, RFC 4122 variant UUID so tools that check the format accept it.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function validateLayout(layout: RootfsLayout): void {
  if (!Number.isInteger(layout.sizeMiB) || layout.sizeMiB < 8) throw new Error(`rootfs size must be a whole number of MiB >= 8 (got ${layout.sizeMiB})`);
  if (layout.inodes !== undefined && (!Number.isInteger(layout.inodes) || layout.inodes < 16)) {
    throw new Error(`rootfs inode count must be a whole number >= 16 (got ${layout.inodes})`);
  }
}


/** Temp dirs of builders that died (killed test workers) would otherwise pile up. */
async function sweepDeadBuilders(basesDir: string): Promise<void> {
  for (const name of await readdir(basesDir).catch(() => [] as string[])) {
    const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processExists(pid)) await rm(path.join(basesDir, name), { recursive: true, force: true });
  }
}

export async function ensureRootfsBase(image: Pick<GuestImage, 'dir' | 'recipeHash' | 'rootfsTree'>, layout: RootfsLayout, format: DiskFormat = RAW_DISK): Promise<string> {
  validateLayout(layout);
  const target = rootfsBasePath(image.dir, layout, format);
  if (await exists(target)) return target;

  const basesDir = path.join(image.dir, IMAGE_FILES.bases);
  await mkdir(basesDir, { recursive: true });
  await sweepDeadBuilders(basesDir);
  const work = await mkdtemp(path.join(basesDir, `${TMP_PREFIX}${process.pid}-`));
  try {
    const raw = path.join(work, 'rootfs.raw');
    const base = format.convert ? path.join(work, `rootfs.${format.extension}`) : raw;
    const epoch = String(sourceDateEpoch());
    const uuid = derivedUuid(image.recipeHash, String(layout.sizeMiB), String(layout.inodes ?? 'default'));
    const extended = [
      `hash_seed=${uuid}`,
      'root_owner=0:0',
      // Initialise inode tables and journal now: otherwise the guest's ext4lazyinit writes them in
      // the background after boot, growing every overlay and skewing the disk-footprint cases.
      'lazy_itable_init=0',
      'lazy_journal_init=0',
    ].join(',');
    await execa(
      await hostTool('mkfs.ext4'),
      ['-q', '-F', '-t', 'ext4', '-L', 'gauntlet-root', '-U', uuid, '-E', extended,
        ...(layout.inodes === undefined ? [] : ['-N', String(layout.inodes)]),
        '-d', image.rootfsTree, raw, `${layout.sizeMiB}M`],
      // E2FSPROGS_FAKE_TIME fixes the superblock and inode times; MKE2FS_CONFIG stays the host's.
      { env: { E2FSPROGS_FAKE_TIME: epoch, LC_ALL: 'C' } },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`mkfs.ext4 of a ${layout.sizeMiB} MiB rootfs failed: ${(error.stderr || error.message).trim()}`);
    });
    await pinInodeTimes(raw, image.rootfsTree, epoch);
    if (format.convert) {
      await format.convert(raw, base);
      await rm(raw);
    }
    // Read-only: a VM must write to its overlay, never to the shared base.
    await chmod(base, 0o444);
    try {
      // link() fails if the target exists, unlike rename(): a base another worker may already have
      // open is never replaced under it.
      await link(base, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return target;
      // Filesystems without hard links: rename, which is atomic too but replaces; check first.
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw error;
      if (!(await exists(target))) await rename(base, target);
    }
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Every path of the tree as debugfs names it: "/", "/bin", "/bin/[", ... */
async function treePaths(tree: string): Promise<string[]> {
  const out = ['/'];
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(tree, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      out.push(child);
      if (entry.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out.sort();
}

/**
 * mkfs.ext4 -d copies atime and ctime from the host tree: ctime is whenever the tree was written
 * and atime moves each time the tree is read. Both are set to the fixed epoch afterwards, through
 * debugfs (no mount needed), so the same image and layout give the same bytes.
 */
async function pinInodeTimes(raw: string, tree: string, epoch: string): Promise<void> {
  const commands: string[] = [];
  for (const p of await treePaths(tree)) {
    if (/["\n\\]/.test(p)) throw new Error(`rootfs path ${JSON.stringify(p)} cannot be named in a debugfs command`);
    for (const field of ['atime', 'ctime', 'mtime']) commands.push(`sif "${p}" ${field} @${epoch}`);
  }
  const result = await execa(await hostTool('debugfs'), ['-w', '-f', '-', raw], {
    input: `${commands.join('\n')}\n`,
    env: { E2FSPROGS_FAKE_TIME: epoch, LC_ALL: 'C' },
  });
  // debugfs reports a failed command on stderr but still exits 0.
  const errors = result.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('debugfs '));
  if (errors.length) throw new Error(`debugfs could not pin inode times: ${errors.slice(0, 3).join(' | ')}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
