/**
 * Everything a run needs before the first VM: a preflight that proves the run can be made (writable
 * directories, a kernel of the guest's architecture, a QEMU build with the machine and devices the
 * suites use, a qemu-img), the guest image, the accelerator decision and the run directory. Done once,
 * in the process that starts the test workers, and handed to them as settings. Every refusal here is
 * one line and exit 2 (125 with --bisect): the run could not be made, which is no verdict.
 */
import { chooseAccelerator } from '../host/accelerator.ts';
import { defaultCacheDir, ensureGuestImage, findGuestImage, type GuestImage } from '../image/index.ts';
import { kernelProblem } from '../image/kernel-format.ts';
import type { RunSettings } from '../config/settings.ts';
import { SettingsError } from '../config/settings.ts';
import { freshSeed } from '../metrics/seeded-random.ts';
import { machineProfile } from '../runtime/qemu/machine.ts';
import { checkQemuBuild, type QemuTools } from '../runtime/qemu/preflight.ts';
import { imageChoice, withResolvedKernelPackage } from './image-choice.ts';
import { createRunDir, reapDeadRuns } from './run-dir.ts';
import { setUpHost } from './setup-host.ts';
import type { InitializeResult } from '../runtime/exec-adapter/protocol.ts';
import { adapterPreflight, describeAdapter } from './adapter-preflight.ts';
import { ensureWritableDir } from './writable-dir.ts';

export interface PreparedRun {
  settings: RunSettings & { accel: NonNullable<RunSettings['accel']>; runDir: string; seed: number };
  image: GuestImage;
  tools: QemuTools;
  /** What the runtime adapter said of itself in the preflight (`--runtime exec:...`); absent in process. */
  adapter?: InitializeResult;
}

export async function prepareRun(given: RunSettings, onProgress: (line: string) => void): Promise<PreparedRun> {
  const machine = machineProfile(given.machine);
  if (machine.arch !== given.arch) throw new SettingsError(`machine ${machine.name} does not run ${given.arch} guests`);
  const settings = await withResolvedKernelPackage(given, onProgress);
  const cachedImage = await findGuestImage(imageChoice(settings));
  await setUpHost(settings.arch, onProgress, { imageCached: cachedImage !== undefined });
  await ensureWritableDir(settings.reportsDir, 'reports directory');
  await ensureWritableDir(settings.cacheDir ?? defaultCacheDir(), 'cache directory');
  const kernelTrouble = settings.kernel && (await kernelProblem(settings.kernel, settings.arch));
  if (kernelTrouble) throw new SettingsError(kernelTrouble);
  // Before the image and the accelerator probe: an adapter that cannot start makes them pointless.
  const adapter = settings.runtime ? await adapterPreflight(settings.runtime) : undefined;
  if (adapter) onProgress(`runtime: ${describeAdapter(settings.runtime!, adapter)}`);
  const qemuBinary = settings.qemuBinary ?? machine.qemuBinary;
  const tools = await checkQemuBuild(qemuBinary, machine);
  const image = await ensureGuestImage({ ...imageChoice(settings), onProgress });
  const decision = settings.accel
    ? { accel: settings.accel, reason: settings.accelReason ?? 'given' }
    : await chooseAccelerator(settings.accelRequested, {
        qemuBinary,
        machine,
        kernel: settings.kernel ?? image.kernel,
        initramfs: image.initramfs,
      });
  onProgress(`accelerator: ${decision.accel} (${decision.reason})`);
  const { reaped } = reapDeadRuns();
  for (const { dir, killed } of reaped) onProgress(`removed ${dir}, left by a run that was killed${killed.length ? ` (and its ${killed.length} VMM process(es))` : ''}`);
  const runDir = settings.runDir ?? (await createRunDir());
  const seed = settings.seed ?? freshSeed();
  onProgress(`seed: ${seed} (--seed ${seed} draws the same random choices again)`);
  return { settings: { ...settings, accel: decision.accel, accelReason: decision.reason, runDir, seed }, image, tools, ...(adapter && { adapter }) };
}
