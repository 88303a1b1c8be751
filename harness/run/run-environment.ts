/** What a run ran on and with, for the run record: the matrix cell, the build under test, the host. */
import { collectHostFacts } from '../host/facts.ts';
import type { RunEnvironment } from '../reports/run-record.ts';
import { machineProfile } from '../runtime/qemu/machine.ts';
import type { GuestImage } from '../image/index.ts';
import type { PreparedRun } from './prepare.ts';

export async function describeRunEnvironment({ settings, image, tools, adapter }: PreparedRun): Promise<RunEnvironment> {
  const qemuBinary = settings.qemuBinary ?? machineProfile(settings.machine).qemuBinary;
  // The preflight's answer to --version: the binary is asked once a run.
  const { qemuVersion } = tools;
  const { qemuVersion: _sameAnswer, ...host } = await collectHostFacts({ qemuBinary, qemuVersion });
  const inProcessVmm = { vmm: 'qemu', vmmVersion: qemuVersion };
  return {
    runtime: adapter?.runtime.name ?? 'qemu',
    ...(adapter && { runtimeVersion: adapter.runtime.version, runtimeAdapter: settings.runtime }),
    ...(adapter ? adapter.vmm && { vmm: adapter.vmm.name, vmmVersion: adapter.vmm.version } : inProcessVmm),
    accelerator: settings.accel,
    acceleratorReason: settings.accelReason ?? '',
    arch: settings.arch,
    machine: settings.machine,
    qemuBinary,
    qemuVersion,
    qemuImg: `${tools.qemuImg} (${tools.qemuImgVersion})`,
    guestKernel: settings.kernel ? `${settings.kernel} (given)` : image.kernelVersion,
    ...(settings.kernel ? {} : kernelPackageOf(image)),
    imageHash: image.recipeHash,
    host,
  };
}

/** The concrete kernel package of the image (images built before the manifest named it: from its package list). */
function kernelPackageOf(image: GuestImage): Pick<RunEnvironment, 'kernelPackage' | 'kernelPackageVersion'> {
  const name = image.manifest.kernelPackage?.name ?? `linux-image-${image.kernelVersion}`;
  const version = image.manifest.kernelPackage?.version ?? image.manifest.packages[name];
  return { kernelPackage: name, ...(version ? { kernelPackageVersion: version } : {}) };
}
