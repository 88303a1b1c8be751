import { defaultCacheDir, ensureGuestImage, findGuestImage } from '../image/index.ts';
import type { RunSettings } from '../config/settings.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { setUpHost } from '../run/setup-host.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { progress } from './progress.ts';

export async function buildImage(given: RunSettings): Promise<number> {
  const settings = await withResolvedKernelPackage(given, progress);
  const cachedImage = await findGuestImage(imageChoice(settings));
  await setUpHost(settings.arch, progress, { imageCached: cachedImage !== undefined });
  await ensureWritableDir(settings.cacheDir ?? defaultCacheDir(), 'cache directory');
  const image = await ensureGuestImage({ ...imageChoice(settings), onProgress: progress });
  console.log(`guest image ${image.recipeHash.slice(0, 16)} (${image.arch}, kernel ${image.kernelVersion}) at ${image.dir}`);
  return 0;
}
