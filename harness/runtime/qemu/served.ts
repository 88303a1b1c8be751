/**
 * The QEMU runtime as an out-of-process adapter (`gauntlet runtime serve qemu`): the reference
 * runtime behind the same protocol any other runtime would speak, which proves the protocol carries
 * everything the cases need. It reads the run's settings from the environment it inherits from the
 * test worker, as the in-process runtime does.
 */
import { execa } from 'execa';
import { HOST_FACTS } from '../../config/constants.ts';
import { readSettings } from '../../config/settings.ts';
import { thisHost } from '../../host/platform.ts';
import type { ServedRuntime } from '../exec-adapter/serve.ts';
import { qemuCapabilities } from './capabilities.ts';
import { QEMU_FAULTS } from './faults.ts';
import { qemuBinaryFor } from './machine.ts';
import { openQemuRuntime } from './open-qemu.ts';

const RUNTIME_VERSION = '0.1.0';

export function servedQemu(env: NodeJS.ProcessEnv = process.env): ServedRuntime {
  const settings = readSettings(env);
  const qemuBinary = qemuBinaryFor(settings);
  return {
    async hello() {
      const { capabilities, missingOnThisHost } = qemuCapabilities(thisHost);
      const version = await execa(qemuBinary, ['--version'], { reject: false, timeout: HOST_FACTS.qemuVersionTimeoutMs, stdin: 'ignore' });
      return {
        runtime: { name: 'qemu', version: RUNTIME_VERSION },
        ...(!version.failed && { vmm: { name: 'qemu', version: version.stdout.split('\n')[0]!.trim() } }),
        ...(settings.accel && { accelerator: settings.accel }),
        capabilities: [...capabilities],
        missingOnThisHost: Object.fromEntries(missingOnThisHost),
        faults: [...QEMU_FAULTS],
      };
    },
    async open() {
      const { accel, runDir } = settings;
      if (!accel || !runDir) throw new Error('the run was not prepared: this adapter reads GAUNTLET_ACCEL_RESOLVED and GAUNTLET_RUN_DIR from the harness that starts it');
      return openQemuRuntime({ ...settings, accel, runDir });
    },
  };
}
