/** Finding a cached image for the current recipe, and building it when there is none. */
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireBuildLock } from './build-lock.ts';
import { buildImage, sweepTempDirs } from './build-image.ts';
import { defaultCacheDir, IMAGE_FILES, imageDir } from './cache-paths.ts';
import { readManifest } from './manifest.ts';
import { kernelImageHash, type KernelPackage } from './kernel-package.ts';
import { recipeHash } from './recipe.ts';
import type { GuestArch, GuestImage } from './types.ts';

export function hostGuestArch(): GuestArch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}

type Lookup = { image: GuestImage } | { damaged: string } | undefined;

async function lookup(dir: string, arch: GuestArch, hash: string): Promise<Lookup> {
  const manifest = await readManifest(dir).catch(() => null);
  if (manifest === undefined) return undefined;
  if (manifest === null) return { damaged: 'manifest.json unreadable' };
  if (manifest.recipeHash !== hash || manifest.arch !== arch) return { damaged: 'manifest.json is for another recipe' };
  const image: GuestImage = {
    arch,
    dir,
    kernel: path.join(dir, IMAGE_FILES.kernel),
    initramfs: path.join(dir, IMAGE_FILES.initramfs),
    rootfsTree: path.join(dir, IMAGE_FILES.rootfsTree),
    kernelVersion: manifest.kernelVersion,
    recipeHash: hash,
    manifest,
  };
  // Existence only: hashing the artifacts on every call would cost every test worker time.
  for (const file of [image.kernel, image.initramfs, image.rootfsTree]) {
    if (!(await stat(file).then(() => true, () => false))) return { damaged: `${path.basename(file)} missing` };
  }
  return { image };
}

/** Which image: the recipe's for an arch, or one around a resolved --kernel-package. */
export interface ImageChoice {
  arch?: GuestArch;
  cacheDir?: string;
  kernelPackage?: KernelPackage & { version: string };
  /** Sources lines apt reads besides the host's (`--apt-source`): where a kernel package may come from. */
  aptSources?: readonly string[];
}

/** The image's cache key: the recipe hash, with the kernel package's name=version when one was chosen. */
async function imageHash(arch: GuestArch, kernelPackage: ImageChoice['kernelPackage']): Promise<string> {
  const recipe = await recipeHash(arch);
  return kernelPackage ? kernelImageHash(recipe, kernelPackage) : recipe;
}

export async function findGuestImage(opts: ImageChoice = {}): Promise<GuestImage | undefined> {
  const arch = opts.arch ?? hostGuestArch();
  const hash = await imageHash(arch, opts.kernelPackage);
  const found = await lookup(imageDir(opts.cacheDir ?? defaultCacheDir(), arch, hash), arch, hash);
  // A damaged image counts as none: ensureGuestImage replaces it.
  return found && 'image' in found ? found.image : undefined;
}

export async function ensureGuestImage(opts: ImageChoice & { onProgress?: (line: string) => void } = {}): Promise<GuestImage> {
  const arch = opts.arch ?? hostGuestArch();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const progress = opts.onProgress ?? (() => {});
  const hash = await imageHash(arch, opts.kernelPackage);
  const dir = imageDir(cacheDir, arch, hash);
  const cached = await lookup(dir, arch, hash);
  if (cached && 'image' in cached) return cached.image;

  await mkdir(path.dirname(dir), { recursive: true });
  const lock = await acquireBuildLock(
    `${dir}.lock`,
    async () => {
      const found = await lookup(dir, arch, hash);
      return found !== undefined && 'image' in found;
    },
    () => progress(`waiting for another process building ${path.basename(dir)}`),
  );
  if (lock) {
    try {
      // Re-check under the lock: another process may have finished between our look and the lock.
      const now = await lookup(dir, arch, hash);
      if (!now || 'damaged' in now) {
        if (now) progress(`cached image ${path.basename(dir)} is damaged (${now.damaged}); rebuilding it`);
        // Also clears a directory left without a manifest by hand: the final rename needs the name free.
        await rm(dir, { recursive: true, force: true });
        await sweepTempDirs(cacheDir, arch, hash);
        progress(`building guest image ${path.basename(dir)} in ${cacheDir}`);
        await buildImage({ arch, hash, cacheDir, finalDir: dir, progress, kernelPackage: opts.kernelPackage, aptSources: opts.aptSources });
      }
    } finally {
      await lock.release();
    }
  }
  const built = await lookup(dir, arch, hash);
  if (!built || 'damaged' in built) throw new Error(`image build finished but ${dir} holds no usable image (${built ? built.damaged : 'no manifest'})`);
  return built.image;
}
