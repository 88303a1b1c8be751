/** The shapes other parts of the harness get from the image builder. */
import type { PreparedImage } from '../contract/prepared-target.ts';
import type { GuestArch } from '../contract/run-target.ts';

export type { GuestArch };

export interface ImageManifest {
  recipeHash: string;
  arch: GuestArch;
  kernelVersion: string;
  /** The concrete kernel package the image was built around (absent in images built before it was recorded). */
  kernelPackage?: { name: string; version: string };
  /** Debian package name -> version actually downloaded (metapackage included). */
  packages: Record<string, string>;
  /** Paths are relative to the image directory, so a cache directory can be moved. */
  artifacts: Record<string, { path: string; sha256: string }>;
  builtAt: string;
  /** Modules the initramfs loads, in load order (dependencies resolved). */
  modules: string[];
}

/** The image as its builder knows it: what a run hands a runtime (paths absolute), and its manifest. */
export interface GuestImage extends PreparedImage {
  manifest: ImageManifest;
}

export interface RootfsLayout {
  sizeMiB: number;
  /** Inode count for mkfs.ext4 -N; undefined keeps mkfs's own default. */
  inodes?: number;
}

/**
 * How a runtime wants its root-disk bases stored: the image layer builds a raw ext4 file, and a
 * runtime whose VMM takes another format converts it once, when the base is cached. Given by the
 * runtime, so the image layer knows no VMM's disk format.
 */
export interface DiskFormat {
  /** The base file's extension, which keeps bases of two formats apart in one cache. */
  extension: string;
  /** Writes the raw ext4 file `raw` in this format to `to`; absent: the raw file is the base. */
  convert?: (raw: string, to: string) => Promise<void>;
}

/** The base as the image layer builds it. */
export const RAW_DISK: DiskFormat = { extension: 'raw' };
