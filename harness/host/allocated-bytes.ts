/**
 * Host disk footprint as allocated blocks, never apparent size: a VM disk is a sparse file whose
 * length says nothing about the space it holds, and discard/reclaim only ever shows up in blocks.
 * Runtimes report it and cases judge it, so it sits below both.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** st_blocks counts 512-byte units on Linux and macOS alike (ext4, tmpfs, APFS), whatever the filesystem block size. */
const STAT_BLOCK_BYTES = 512;

/** A file that does not exist holds nothing: after destroy that is the expected state, not an error. */
export async function allocatedBytes(file: string): Promise<number> {
  const stats = await orMissing(() => stat(file));
  return stats ? stats.blocks * STAT_BLOCK_BYTES : 0;
}

/** Each distinct path counted once, so a file listed under two roles is not counted twice. */
export async function allocatedBytesOfAll(files: readonly string[]): Promise<number> {
  const sizes = await Promise.all([...new Set(files)].map((file) => allocatedBytes(file)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Like `du -s`: the directory's own blocks included, symlinks not followed, hard links counted once.
 * Entries that vanish mid-walk are skipped, because a VM being torn down removes files while we look.
 */
export async function dirAllocatedBytes(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const visit = async (entry: string): Promise<void> => {
    const stats = await orMissing(() => lstat(entry));
    if (!stats) return;
    const identity = `${stats.dev}:${stats.ino}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    total += stats.blocks * STAT_BLOCK_BYTES;
    if (!stats.isDirectory()) return;
    const names = await orMissing(() => readdir(entry));
    await Promise.all((names ?? []).map((name) => visit(path.join(entry, name))));
  };
  await visit(dir);
  return total;
}

async function orMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
