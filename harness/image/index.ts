/**
 * The guest image: a Debian kernel, a busybox initramfs and a busybox root disk, built from
 * fixtures/guest/recipe.json and cached per recipe hash. Other parts of the harness import only this.
 */
export type { DiskFormat, GuestArch, GuestImage, ImageManifest, RootfsLayout } from './types.ts';
export { RAW_DISK } from './types.ts';
export { ImageArchiveError, importImageArchive, sweepDeadImports, writeImageArchive, type ImportOutcome } from './archive.ts';
export { defaultCacheDir, imageDirName, rootfsBaseName } from './cache-paths.ts';
export { ensureGuestImage, findGuestImage, hostGuestArch } from './guest-image.ts';
export { ensureRootfsBase } from './rootfs-base.ts';
export { loadRecipe, recipeHash, type Recipe } from './recipe.ts';
