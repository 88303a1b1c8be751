/**
 * `--kernel-package NAME[=VERSION]`: an image built around another Debian kernel package than the
 * recipe's, any the guest arch's apt reaches (e.g. linux-image-6.1.0-47-cloud-amd64, or a 6.12 from
 * bookworm-security or backports, whose modules are .ko.xz). The run resolves it once to an exact
 * version; the image's cache key is the recipe hash and that name=version, so each kernel gets its
 * own cached image and a new version of the package never reuses an old one.
 */
import { createHash } from 'node:crypto';
import { aptStateFor } from './apt-state.ts';
import { packageVersion } from './debian-packages.ts';
import { loadRecipe } from './recipe.ts';
import type { GuestArch } from './types.ts';

export class KernelPackageError extends Error {
  override name = 'KernelPackageError';
}

export interface KernelPackage {
  name: string;
  /** Exact once resolved; undefined in a choice asks for apt's candidate. */
  version: string | undefined;
}

/** "NAME[=VERSION]" as given on the command line; throws one line for anything else. */
export function parseKernelPackage(text: string): KernelPackage {
  const match = /^(linux-image-[a-z0-9][a-z0-9.+-]*)(?:=([A-Za-z0-9.+~:-]+))?$/.exec(text);
  if (!match) throw new KernelPackageError(`--kernel-package takes a Debian kernel package, linux-image-…[=VERSION] (got ${text})`);
  return { name: match[1]!, version: match[2] };
}

export function formatKernelPackage(kernel: KernelPackage): string {
  return kernel.version === undefined ? kernel.name : `${kernel.name}=${kernel.version}`;
}

/** The exact version apt would fetch for the guest arch: the one asked for, checked, or the candidate. */
export async function resolveKernelPackage(
  choice: KernelPackage,
  arch: GuestArch,
  cacheDir: string,
  progress: (line: string) => void,
  aptSources: readonly string[] = [],
): Promise<KernelPackage & { version: string }> {
  const recipe = await loadRecipe();
  const apt = await aptStateFor(recipe.arches[arch].debianArch, cacheDir, progress, aptSources);
  return { name: choice.name, version: await packageVersion(choice.name, choice.version, apt, arch) };
}

/** The cache key of an image around `kernel` (resolved): the recipe's hash and the package's name=version. */
export function kernelImageHash(recipeHash: string, kernel: KernelPackage): string {
  return createHash('sha256').update(`${recipeHash}\0kernel-package ${formatKernelPackage(kernel)}`).digest('hex');
}
