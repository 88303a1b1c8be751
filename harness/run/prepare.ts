/**
 * Everything a run needs before the first VM: a preflight that proves the run can be made (writable
 * directories, a kernel of the guest's architecture, the selected runtime's own preflight), the guest
 * image, the run target (the runtime's answer: VMM, version, accelerator) and the run directory. Done
 * once, in the process that starts the test workers, and handed to them as settings. Every refusal
 * here is one line and exit 2 (125 with --bisect): the run could not be made, which is no verdict.
 */
import path from 'node:path';
import { defaultCacheDir, ensureGuestImage, findGuestImage, sweepDeadImports, type GuestImage } from '../image/index.ts';
import { kernelProblem } from '../image/kernel-format.ts';
import type { RunSettings } from '../config/settings.ts';
import { SettingsError } from '../config/settings.ts';
import { freshSeed } from '../metrics/seeded-random.ts';
import type { PreparedTarget } from '../contract/prepared-target.ts';
import type { RunTarget } from '../contract/run-target.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { createRunDir, reapDeadRuns } from './run-dir.ts';
import { kindFor } from '../runtime/kinds.ts';
import { setUpHost } from './setup-host.ts';
import { ensureWritableDir } from './writable-dir.ts';

export interface PreparedRun {
  settings: RunSettings & { target: RunTarget; runDir: string; seed: number };
  image: GuestImage;
  /** What the workers receive: they open the runtime from it alone. */
  target: PreparedTarget;
}

export async function prepareRun(given: RunSettings, onProgress: (line: string) => void): Promise<PreparedRun> {
  const settings = await withResolvedKernelPackage(given, onProgress);
  const cachedImage = await findGuestImage(imageChoice(settings));
  await setUpHost(settings.arch, onProgress, { imageCached: cachedImage !== undefined });
  await ensureWritableDir(settings.reportsDir, 'reports directory');
  await ensureWritableDir(settings.cacheDir ?? defaultCacheDir(), 'cache directory');
  const kernelTrouble = settings.kernel && (await kernelProblem(settings.kernel, settings.arch));
  if (kernelTrouble) throw new SettingsError(kernelTrouble);
  // The runtime's preflight before the image: a runtime that cannot run makes the image pointless.
  const kind = kindFor(settings.runtime);
  const resolveTarget = settings.target ? async () => settings.target! : await kind.prepare(settings, onProgress);
  const image = await ensureGuestImage({ ...imageChoice(settings), onProgress });
  const target = await resolveTarget({ kernel: settings.kernel ?? image.kernel, initramfs: image.initramfs });
  onProgress(`accelerator: ${target.accelerator} (${target.acceleratorReason})`);
  const { reaped } = reapDeadRuns();
  for (const { dir, killed } of reaped) onProgress(`removed ${dir}, left by a run that was killed${killed.length ? ` (and its ${killed.length} VMM process(es))` : ''}`);
  for (const dir of await sweepDeadImports(settings.cacheDir ?? defaultCacheDir())) onProgress(`removed ${dir}, left by an image import that was killed`);
  const runDir = settings.runDir ?? (await createRunDir());
  const seed = settings.seed ?? freshSeed();
  onProgress(`seed: ${seed} (--seed ${seed} draws the same random choices again)`);
  const { manifest: _manifest, ...preparedImage } = image;
  const prepared: PreparedTarget = {
    ...target,
    kind: kind.name,
    image: preparedImage,
    ...(settings.kernel ? { kernel: path.resolve(settings.kernel) } : {}),
    runDir,
    seed,
    cold: settings.cold ?? false,
    reportsDir: settings.reportsDir,
    ...(settings.repeat === undefined ? {} : { repeat: settings.repeat }),
  };
  return { settings: { ...settings, target, runDir, seed }, image, target: prepared };
}
