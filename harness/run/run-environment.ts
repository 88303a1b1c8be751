/** What a run ran on and with, for the run record: the run target (runtime, VMM, accelerator), the guest, the host. */
import { collectHostFacts } from '../host/facts.ts';
import type { RunEnvironment } from '../reports/run-record.ts';
import type { GuestImage } from '../image/index.ts';
import type { PreparedRun } from './prepare.ts';

export async function describeRunEnvironment({ settings, image }: PreparedRun): Promise<RunEnvironment> {
  return {
    ...settings.target,
    guestKernel: settings.kernel ? `${settings.kernel} (given)` : image.kernelVersion,
    ...(settings.kernel ? {} : kernelPackageOf(image)),
    imageHash: image.recipeHash,
    host: await collectHostFacts(),
  };
}

/** The concrete kernel package of the image (images built before the manifest named it: from its package list). */
function kernelPackageOf(image: GuestImage): Pick<RunEnvironment, 'kernelPackage' | 'kernelPackageVersion'> {
  const name = image.manifest.kernelPackage?.name ?? `linux-image-${image.kernelVersion}`;
  const version = image.manifest.kernelPackage?.version ?? image.manifest.packages[name];
  return { kernelPackage: name, ...(version ? { kernelPackageVersion: version } : {}) };
}
