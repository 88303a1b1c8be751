/** What a run ran on and with, for the run record: the matrix cell, the build under test, the host. */
import { collectHostFacts } from '../host/facts.ts';
import type { RunEnvironment } from '../reports/run-record.ts';
import { machineProfile } from '../runtime/qemu/machine.ts';
import type { PreparedRun } from './prepare.ts';

export async function describeRunEnvironment({ settings, image, tools }: PreparedRun): Promise<RunEnvironment> {
  const qemuBinary = settings.qemuBinary ?? machineProfile(settings.machine).qemuBinary;
  const { qemuVersion, ...host } = await collectHostFacts({ qemuBinary });
  return {
    runtime: 'qemu',
    accelerator: settings.accel,
    acceleratorReason: settings.accelReason ?? '',
    arch: settings.arch,
    machine: settings.machine,
    qemuBinary,
    qemuVersion: qemuVersion ?? tools.qemuVersion,
    qemuImg: `${tools.qemuImg} (${tools.qemuImgVersion})`,
    guestKernel: settings.kernel ? `${settings.kernel} (given)` : image.kernelVersion,
    imageHash: image.recipeHash,
    host,
  };
}
