/**
 * The QEMU runtime as an out-of-process adapter (`gauntlet runtime serve qemu`): the reference
 * runtime behind the same protocol any other runtime would speak, which proves the protocol carries
 * everything the cases need. It opens the runtime from the prepared target the harness hands it in
 * the environment; asked before a run has one (`runtime check`), it reads the settings, as the entry
 * point it then is, and resolves its own.
 */
import path from 'node:path';
import { readPreparedTarget } from '../../config/prepared-env.ts';
import type { PreparedTarget } from '../../contract/prepared-target.ts';
import { readSettings, type RunSettings } from '../../config/settings.ts';
import { thisHost } from '../../host/platform.ts';
import { findGuestImage } from '../../image/index.ts';
import { imageChoice } from '../../image/image-choice.ts';
import type { ServedRuntime } from '../exec-adapter/serve.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { qemuCapabilities } from './capabilities.ts';
import { QEMU_FAULTS } from './faults.ts';
import { qemuBinaryFor } from './machine.ts';
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
      const prepared = readPreparedTarget(env) ?? (await ownPrepared(settings, own));
      // A target prepared for the adapter names the adapter's runtime, not this build: the binary is the settings' choice.
      return openQemuRuntime({ ...prepared, vmmBinary: prepared.vmmBinary ?? qemuBinaryFor(settings), machine: prepared.machine ?? settings.machine });
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

/** `runtime check` hands down settings and a run dir but no prepared target: this adapter prepares its own. */
async function ownPrepared(settings: RunSettings, own: OwnTarget | undefined): Promise<PreparedTarget> {
  const image = await findGuestImage(imageChoice(settings)).catch(() => undefined);
  const { runDir } = settings;
  if (!own?.accelerator || !runDir || !image) {
    throw new Error('the run was not prepared: this adapter reads GAUNTLET_PREPARED, or GAUNTLET_RUN_DIR with a built guest image, from the harness that starts it');
  }
  return {
    kind: 'qemu',
    runtime: 'qemu',
    accelerator: own.accelerator,
    acceleratorReason: own.acceleratorReason ?? '',
    arch: settings.arch,
    tools: {},
    image,
    ...(settings.kernel ? { kernel: path.resolve(settings.kernel) } : {}),
    runDir,
    seed: settings.seed ?? 0,
    cold: settings.cold ?? false,
    reportsDir: settings.reportsDir,
  };
}
