/**
 * The recipe (fixtures/guest/recipe.json) and its hash. The hash names the cached image, so it covers
 * every input that ends up in the image: the recipe, every guest and workload fixture, and the
 * builder's own version. Package versions are not in it on purpose: a new Debian point release does
 * not invalidate a working cache; the manifest records what was actually used.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuestArch } from './types.ts';

/** Bump when a change to the builder changes what it produces from the same recipe. */
export const IMAGE_BUILDER_VERSION = 3;

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');
/** Directories under fixtures/ whose content goes into the image. */
export const HASHED_FIXTURE_DIRS = ['guest', 'workloads'] as const;

export interface ArchRecipe {
  debianArch: string;
  kernelPackage: string;
}

export interface Recipe {
  schema: 1;
  arches: Record<GuestArch, ArchRecipe>;
  packages: string[];
  modules: string[];
  rootfs: { sizeMiB: number; inodes: number | null };
}

export function recipePath(fixturesDir = FIXTURES_DIR): string {
  return path.join(fixturesDir, 'guest', 'recipe.json');
}

export async function loadRecipe(fixturesDir = FIXTURES_DIR): Promise<Recipe> {
  const file = recipePath(fixturesDir);
  const recipe = JSON.parse(await readFile(file, 'utf8')) as Recipe;
  // A typo here would surface much later as a guest that cannot find its disk; fail at the source.
  const problems: string[] = [];
  if (recipe.schema !== 1) problems.push(`schema must be 1`);
  for (const arch of ['x86_64', 'aarch64'] as const) {
    const entry = recipe.arches?.[arch];
    if (!entry?.debianArch || !entry.kernelPackage) problems.push(`arches.${arch} needs debianArch and kernelPackage`);
  }
  // The builder places busybox itself; another package would need code that knows where it goes.
  if (!Array.isArray(recipe.packages) || recipe.packages.join() !== 'busybox-static') problems.push('packages must be ["busybox-static"] (the only userland this builder knows how to place)');
  if (!Array.isArray(recipe.modules) || recipe.modules.some((m) => !/^[A-Za-z0-9_-]+$/.test(m))) problems.push('modules must be module names');
  if (!Number.isInteger(recipe.rootfs?.sizeMiB) || recipe.rootfs.sizeMiB <= 0) problems.push('rootfs.sizeMiB must be a positive integer');
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return recipe;
}

/** Every regular file and symlink below dir, as sorted '/'-separated relative paths; dotfiles skipped. */
export async function listInputFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw error;
    }
    for (const entry of entries) {
      // Editor swap files and .DS_Store must not trigger a rebuild (nor land in the image).
      if (entry.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(child);
    }
  }
  await walk('');
  return out.sort();
}

/** The hash of an arch's recipe given a fixtures directory; exported for tests. */
export async function hashFixtures(fixturesDir: string, arch: GuestArch): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`microvm-gauntlet image builder ${IMAGE_BUILDER_VERSION}\0arch ${arch}\0`);
  for (const top of HASHED_FIXTURE_DIRS) {
    const base = path.join(fixturesDir, top);
    for (const rel of await listInputFiles(base)) {
      const full = path.join(base, rel);
      let content: Buffer;
      try {
        content = await readFile(full);
      } catch (error) {
        // A dangling symlink still says something about the recipe: hash where it points.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        content = Buffer.from(`symlink -> ${await readlink(full)}`);
      }
      // Length-prefixed fields: moving bytes between a name and a content cannot collide.
      hash.update(`${top}/${rel}\0${content.length}\0`);
      hash.update(content);
    }
  }
  return hash.digest('hex');
}

export function recipeHash(arch: GuestArch): Promise<string> {
  return hashFixtures(FIXTURES_DIR, arch);
}
