/** Where images and rootfs bases live in the cache; names only, no I/O. */
import os from 'node:os';
import path from 'node:path';
import type { DiskFormat, GuestArch, RootfsLayout } from './types.ts';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GAUNTLET_CACHE_DIR) return path.resolve(env.GAUNTLET_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'microvm-gauntlet');
  return path.join(os.homedir(), '.cache', 'microvm-gauntlet');
}

/** 16 hex digits keep directory names short (unix socket paths nearby are length-limited). */
export function imageDirName(arch: GuestArch, recipeHash: string): string {
  return `${arch}-${recipeHash.slice(0, 16)}`;
}

export function imagesRoot(cacheDir: string): string {
  return path.join(cacheDir, 'images');
}

export function imageDir(cacheDir: string, arch: GuestArch, recipeHash: string): string {
  return path.join(imagesRoot(cacheDir), imageDirName(arch, recipeHash));
}

/** Fixed names inside an image directory. */
export const IMAGE_FILES = {
  /** What the VMM boots: on x86_64 the vmlinux unpacked from the package's bzImage, else the package's kernel. */
  kernel: 'kernel',
  initramfs: 'initramfs.cpio.gz',
  rootfsTree: 'rootfs',
  manifest: 'manifest.json',
  bases: 'bases',
  /** A runtime's saved VM states booted from this image (the reference runtime keeps its own here): host-bound, never exported. */
  snapshots: 'snapshots',
} as const;

export function rootfsBaseName(layout: RootfsLayout, format: Pick<DiskFormat, 'extension'>): string {
  return `rootfs-${layout.sizeMiB}m${layout.inodes === undefined ? '' : `-${layout.inodes}i`}.${format.extension}`;
}

export function rootfsBasePath(imageDirectory: string, layout: RootfsLayout, format: Pick<DiskFormat, 'extension'>): string {
  return path.join(imageDirectory, IMAGE_FILES.bases, rootfsBaseName(layout, format));
}
