/**
 * Everything a run needs before the first VM: the guest image, the accelerator decision and the run
 * directory. Done once, in the process that starts the test workers, and handed to them as settings.
 */
import { existsSync } from 'node:fs';
import { chooseAccelerator } from '../host/accelerator.ts';
import { readQemuVersion } from '../host/facts.ts';
import { ensureGuestImage, type GuestImage } from '../image/index.ts';
import type { RunSettings } from '../config/settings.ts';
import { SettingsError } from '../config/settings.ts';
import { machineProfile } from '../runtime/qemu/machine.ts';
import { createRunDir } from './run-dir.ts';
import { setUpHost } from './setup-host.ts';

export interface PreparedRun {
  settings: RunSettings & { accel: NonNullable<RunSettings['accel']>; runDir: string };
  image: GuestImage;
}

export async function prepareRun(settings: RunSettings, onProgress: (line: string) => void): Promise<PreparedRun> {
  if (settings.kernel && !existsSync(settings.kernel)) throw new SettingsError(`kernel not found: ${settings.kernel}`);
  const machine = machineProfile(settings.machine);
  if (machine.arch !== settings.arch) throw new SettingsError(`machine ${machine.name} does not run ${settings.arch} guests`);
  await setUpHost(settings.arch, onProgress);
  // Otherwise every case fails on its own, and a missing build reads as a verdict on the runtime.
  const qemuBinary = settings.qemuBinary ?? machine.qemuBinary;
  if ((await readQemuVersion(qemuBinary)) === undefined) throw new SettingsError(`QEMU ${qemuBinary} is missing or does not answer --version`);
  const image = await ensureGuestImage({ arch: settings.arch, cacheDir: settings.cacheDir, onProgress });
  const decision = settings.accel
    ? { accel: settings.accel, reason: settings.accelReason ?? 'given' }
    : await chooseAccelerator(settings.accelRequested, {
        qemuBinary,
        machine,
        kernel: settings.kernel ?? image.kernel,
        initramfs: image.initramfs,
      });
  onProgress(`accelerator: ${decision.accel} (${decision.reason})`);
  const runDir = settings.runDir ?? (await createRunDir());
  return { settings: { ...settings, accel: decision.accel, accelReason: decision.reason, runDir }, image };
}
