/** gauntlet image export FILE / image import FILE: moving a built image to a host that cannot build one. */
import type { RunSettings } from '../config/settings.ts';
import {
  defaultCacheDir,
  ensureRootfsBase,
  findGuestImage,
  ImageArchiveError,
  RAW_DISK,
  importImageArchive,
  rootfsBaseName,
  writeImageArchive,
} from '../image/index.ts';
import { kindFor } from '../runtime/kinds.ts';
import { progress } from './progress.ts';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export async function exportImage(file: string, settings: RunSettings): Promise<number> {
  const started = Date.now();
  const cacheDir = settings.cacheDir ?? defaultCacheDir();
  const image = await findGuestImage({ arch: settings.arch, cacheDir });
  if (!image) throw new ImageArchiveError(`no ${settings.arch} image of this checkout's recipe in ${cacheDir}: run gauntlet image build --arch ${settings.arch} first`);
  // The bases the selected runtime kind boots, so an importing host's runs find them built.
  const { format, layouts: wanted } = kindFor(settings.runtime).imageNeeds?.(settings) ?? { format: RAW_DISK, layouts: [] };
  const layouts = new Map(wanted.map((layout) => [rootfsBaseName(layout, format), layout]));
  for (const [name, layout] of layouts) {
    progress(`rootfs base ${name}`);
    await ensureRootfsBase(image, layout, format).catch((error: Error) => {
      throw new ImageArchiveError(`cannot build rootfs base ${name} to export: ${error.message.split('\n')[0]}`);
    });
  }
  progress(`writing ${file}`);
  const written = await writeImageArchive(image.dir, file);
  console.log(
    `wrote ${file}: ${image.arch} image ${image.recipeHash.slice(0, 16)} (kernel ${image.kernelVersion}, ` +
      `${layouts.size} rootfs bases), ${written.entries} entries, ${mib(written.bytes)}, in ${seconds(started)}`,
  );
  return 0;
}

export async function importImage(file: string, settings: RunSettings): Promise<number> {
  const started = Date.now();
  const cacheDir = settings.cacheDir ?? defaultCacheDir();
  const outcome = await importImageArchive({ file, arch: settings.arch, cacheDir, progress });
  const took = `in ${seconds(started)}`;
  switch (outcome.kind) {
    case 'imported':
      console.log(`imported ${file} into ${outcome.dir} ${took}`);
      break;
    case 'replaced':
      console.log(`imported ${file} into ${outcome.dir}, replacing another build of the same recipe, ${took}`);
      break;
    case 'already-there': {
      const added = outcome.addedBases.length > 0 ? `; added rootfs bases ${outcome.addedBases.join(', ')}` : '';
      console.log(`${file}: this image is already in ${outcome.dir} (same build)${added}, checked ${took}`);
      break;
    }
  }
  return 0;
}
