/**
 * Boot benchmark: in one run, alternating, N boots of (a) raw QEMU with the same kernel and initramfs
 * and no harness, timed to the init's first console line, and (b) the harness, timed from create()
 * to the first successful exec. Prints both medians and their ratio (target ≤ 1.15). Ratios, not
 * absolute times, because the machine is noisy and its speed unknown.
 *
 *   npx tsx scripts/bench-boot.ts [--boots N] [--accel auto|kvm|hvf|tcg] [--arch x86_64|aarch64]
 */
import { parseArgs } from 'node:util';
import { BOOT, deadlineMs, VM_DEFAULTS } from '../harness/config/constants.ts';
import { ENV, readSettings, settingsToEnv } from '../harness/config/settings.ts';
import { openRuntime } from '../harness/fixtures/open-runtime.ts';
import { prepareRun } from '../harness/run/prepare.ts';
import { sweepRunDir } from '../harness/run/run-dir.ts';
import { bootUntilConsoleLine } from '../harness/runtime/qemu/console-boot.ts';
import { machineProfile } from '../harness/runtime/qemu/machine.ts';
import { guestKernelArgs } from '../harness/runtime/qemu/guest-kernel-args.ts';

const FIRST_INIT_LINE = 'gauntlet-initramfs: start';

const { values } = parseArgs({ options: { boots: { type: 'string', default: '5' }, accel: { type: 'string' }, arch: { type: 'string' } } });
const boots = Math.max(5, Number(values.boots));
if (values.accel) process.env[ENV.accelRequested] = values.accel;
if (values.arch) process.env[ENV.arch] = values.arch;

const { settings, image } = await prepareRun(readSettings(), (line) => console.error(`bench: ${line}`));
Object.assign(process.env, settingsToEnv(settings));
process.once('exit', () => sweepRunDir(settings.runDir));
const machine = machineProfile(settings.machine);
const runtime = await openRuntime(settings);

const raw: number[] = [];
const harness: number[] = [];
for (let i = 0; i < boots; i++) {
  const result = await bootUntilConsoleLine(
    settings.qemuBinary ?? machine.qemuBinary,
    {
      machine,
      accel: settings.accel,
      kernel: settings.kernel ?? image.kernel,
      initramfs: image.initramfs,
      memoryMiB: VM_DEFAULTS.memoryMiB,
      vcpus: VM_DEFAULTS.vcpus,
      kernelArgs: guestKernelArgs({ name: 'bench' }),
    },
    FIRST_INIT_LINE,
    deadlineMs(BOOT.readyDeadlineMs, settings.accel),
  );
  if (result.lineAfterMs === undefined) throw new Error(`raw boot ${i + 1} failed: ${result.failure}`);
  raw.push(result.lineAfterMs);

  const startedAt = performance.now();
  const sandbox = await runtime.create({ name: `bench${i}` });
  harness.push(performance.now() - startedAt);
  await sandbox.destroy();
  console.error(`bench: boot ${i + 1}/${boots}: raw ${raw[i].toFixed(0)} ms, harness ${harness[i].toFixed(0)} ms`);
}

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rawMedian = median(raw);
const harnessMedian = median(harness);
console.log(`guest: ${settings.arch} on ${machine.name}; accelerator: ${settings.accel} (${settings.accelReason})`);
console.log(`raw QEMU to first init line: median ${rawMedian.toFixed(0)} ms over ${boots} boots`);
console.log(`harness to first exec:       median ${harnessMedian.toFixed(0)} ms over ${boots} boots`);
console.log(`ratio: ${(harnessMedian / rawMedian).toFixed(3)} (target <= 1.15)`);
process.exit(0);
