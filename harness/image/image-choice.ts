/** Which guest image the settings ask for: the recipe's, or one around a --kernel-package. */
import { SettingsError, type RunSettings } from '../config/settings.ts';
import { defaultCacheDir } from './cache-paths.ts';
import { formatKernelPackage, parseKernelPackage, resolveKernelPackage } from './kernel-package.ts';
import type { ImageChoice } from './guest-image.ts';

/** The image of settings whose kernel package is resolved (NAME=VERSION, as prepareRun leaves it). */
export function imageChoice(settings: RunSettings): ImageChoice {
  const kernel = settings.kernelPackage === undefined ? undefined : parseKernelPackage(settings.kernelPackage);
  if (kernel && kernel.version === undefined) throw new Error(`kernel package ${kernel.name} was not resolved to a version (prepareRun does that)`);
  return { arch: settings.arch, cacheDir: settings.cacheDir, aptSources: settings.aptSources, ...(kernel ? { kernelPackage: { name: kernel.name, version: kernel.version! } } : {}) };
}

/** Settings whose --kernel-package names an exact version: apt's candidate when none was given. */
export async function withResolvedKernelPackage(settings: RunSettings, progress: (line: string) => void): Promise<RunSettings> {
  if (settings.kernelPackage === undefined) return settings;
  const choice = parseKernelPackage(settings.kernelPackage);
  // No such package or version is a refusal of the run, in one line (the message names what apt has).
  const resolved = await resolveKernelPackage(choice, settings.arch, settings.cacheDir ?? defaultCacheDir(), progress, settings.aptSources).catch((error: Error) => {
    throw new SettingsError(error.message.split('\n')[0]!);
  });
  progress(`guest kernel package: ${formatKernelPackage(resolved)}`);
  return { ...settings, kernelPackage: formatKernelPackage(resolved) };
}
