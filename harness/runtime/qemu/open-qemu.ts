/** The in-process QEMU runtime a prepared run describes: used by the test workers and by `gauntlet runtime serve qemu`. */
import path from 'node:path';
import type { RunSettings } from '../../config/settings.ts';
import { findGuestImage } from '../../image/index.ts';
import { imageChoice } from '../../image/image-choice.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { qemuBinaryFor, qemuMachine } from './machine.ts';
import { QemuRuntime } from './runtime.ts';

export async function openQemuRuntime(settings: RunSettings & { runDir: string }, accel: Accelerator): Promise<QemuRuntime> {
  const image = await findGuestImage(imageChoice(settings));
  if (!image) throw new Error('the guest image is not built: run `gauntlet image build`');
  return new QemuRuntime({
    qemuBinary: qemuBinaryFor(settings),
    machine: qemuMachine(settings),
    accel,
    image,
    kernel: settings.kernel ? path.resolve(settings.kernel) : undefined,
    runDir: settings.runDir,
    cold: settings.cold,
  });
}
