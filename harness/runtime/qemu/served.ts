/**
 * The QEMU runtime as an out-of-process adapter (`gauntlet runtime serve qemu`): the reference
 * runtime behind the same protocol any other runtime would speak, which proves the protocol carries
 * everything the cases need. It reads the run's settings from the environment it inherits from the
 * test worker, as the in-process runtime does.
 */
import { readSettings, type RunSettings } from '../../config/settings.ts';
import { thisHost } from '../../host/platform.ts';
import { findGuestImage } from '../../image/index.ts';
import { imageChoice } from '../../image/image-choice.ts';
import type { ServedRuntime } from '../exec-adapter/serve.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { qemuCapabilities } from './capabilities.ts';
import { QEMU_FAULTS } from './faults.ts';
import { openQemuRuntime } from './open-qemu.ts';
import { prepareQemuTarget } from './prepare-target.ts';

const RUNTIME_VERSION = '0.1.0';

export function servedQemu(env: NodeJS.ProcessEnv = process.env): ServedRuntime {
  const settings = readSettings(env);
  // What hello resolved when the harness handed no target down (`runtime check`); open() runs on it.
  let own: OwnTarget | undefined;
  return {
    async hello() {
      const { capabilities, missingOnThisHost } = qemuCapabilities(thisHost);
      const { vmmVersion, accelerator, acceleratorReason } = settings.target ?? (own = await ownTarget(settings));
      return {
        runtime: { name: 'qemu', version: RUNTIME_VERSION },
        ...(vmmVersion && { vmm: { name: 'qemu', version: vmmVersion } }),
        ...(accelerator && { accelerator, acceleratorReason }),
        capabilities: [...capabilities],
        missingOnThisHost: Object.fromEntries(missingOnThisHost),
        faults: [...QEMU_FAULTS],
      };
    },
    async open() {
      const accel = settings.target?.accelerator ?? own?.accelerator;
      const { runDir } = settings;
      if (!accel || !runDir) throw new Error('the run was not prepared: this adapter reads GAUNTLET_RUN_DIR and GAUNTLET_TARGET (or probes when the guest image is built) from the harness that starts it');
      return openQemuRuntime({ ...settings, runDir }, accel);
    },
  };
}

/**
 * Asked before a run has a target (the harness's preflight, `runtime check`), this adapter resolves
 * its own as the in-process runtime would: the build's preflight, and the accelerator probe once the
 * guest image exists (before that it names no accelerator, and the harness allows for TCG).
 */
type OwnTarget = { vmmVersion?: string; accelerator?: Accelerator; acceleratorReason?: string };

async function ownTarget(settings: RunSettings): Promise<OwnTarget> {
  const { qemuVersion, resolve } = await prepareQemuTarget(settings);
  let image;
  try {
    image = await findGuestImage(imageChoice(settings));
  } catch {
    // A --kernel-package not yet resolved to a version: the image is not known yet either.
  }
  if (!image) return { vmmVersion: qemuVersion };
  return resolve({ kernel: settings.kernel ?? image.kernel, initramfs: image.initramfs });
}
