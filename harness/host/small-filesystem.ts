/**
 * A small host filesystem (tmpfs) to put a VM's disks on, so the host can run out of space under a
 * running VM without touching the real host disk. Mounting needs root on Linux; without it the case
 * has the runtime's storage refuse writes instead (Sandbox.setHostStorageFull). A ballast file fills
 * it, and deleting the ballast gives the space back.
 */
import { execFileSync } from 'node:child_process';
import { open, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { createHostDir } from './host-dir.ts';

const MIB = 1024 * 1024;
const BALLAST = '.ballast';

/**
 * A worker that exits before its `finally` ran (a timeout's teardown, an uncaught error) must not
 * leave a mount behind; a lazy unmount detaches it even while something still holds it.
 */
const stillMounted = new Set<string>();
process.once('exit', () => {
  for (const dir of stillMounted) {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // Nothing more can be done while exiting; the mount shows up in the host's mount table.
    }
  }
});

export interface SmallFilesystem {
  readonly dir: string;
  /** Writes a file of this size (allocated, not sparse) that removeBallast() deletes again. */
  placeBallast(sizeMiB: number): Promise<void>;
  removeBallast(): Promise<void>;
  freeBytes(): Promise<number>;
}

/** Why this host cannot mount one, or undefined when it can. */
export function smallFilesystemUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `mounting a small host filesystem is implemented for Linux only (host is ${process.platform})`;
  const uid = process.getuid?.();
  if (uid !== 0) return `mounting a small host filesystem needs root (running as uid ${uid})`;
  return undefined;
}

/** Mounts a tmpfs of `sizeMiB` in a host directory under `runDir`, runs `use`, then unmounts and removes it, whatever happened. */
export async function withSmallFilesystem<T>(runDir: string, sizeMiB: number, use: (fs: SmallFilesystem) => Promise<T>): Promise<T> {
  const unavailable = smallFilesystemUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = await createHostDir(runDir, 'small-fs');
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'gauntlet-small-fs', dir]).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  stillMounted.add(dir);
  try {
    return await use(smallFilesystemAt(dir));
  } finally {
    await unmount(dir);
  }
}

/**
 * A VM still holding its disk there (the caller destroys it first, unless that failed) makes a plain
 * unmount fail; the lazy one detaches the filesystem anyway, and it goes when its last file is closed.
 */
async function unmount(dir: string): Promise<void> {
  await execa('umount', [dir]).catch(() => execa('umount', ['-l', dir]));
  stillMounted.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

function smallFilesystemAt(dir: string): SmallFilesystem {
  const ballast = path.join(dir, BALLAST);
  return {
    dir,
    placeBallast: (sizeMiB) => writeAllocated(ballast, sizeMiB),
    removeBallast: () => rm(ballast),
    freeBytes: async () => {
      const stats = await statfs(dir);
      return stats.bavail * stats.bsize;
    },
  };
}

/** Written rather than truncated: a sparse file holds no space, and the ballast must. */
async function writeAllocated(file: string, sizeMiB: number): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    const chunk = Buffer.alloc(MIB, 0xa5);
    for (let written = 0; written < sizeMiB; written++) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}
