/**
 * `gauntlet doctor`: what this host is, and what a run for the chosen guest arch would use: the QEMU
 * binary and version, the machine and CPU model, the guest image and kernel, the accelerator and why.
 */
import { execa } from 'execa';
import { chooseAccelerator } from '../host/accelerator.ts';
import { collectHostFacts } from '../host/facts.ts';
import { findGuestImage, recipeHash } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../run/image-choice.ts';
import type { RunSettings } from '../config/settings.ts';
import { acceleratorArgs, machineProfile } from '../runtime/qemu/machine.ts';
import type { Accelerator } from '../runtime/types.ts';
import { qemuImgBinary } from '../runtime/qemu/vm-files.ts';

export async function doctor(given: RunSettings): Promise<number> {
  const settings = await withResolvedKernelPackage(given, () => {});
  const machine = machineProfile(settings.machine);
  const qemuBinary = settings.qemuBinary ?? machine.qemuBinary;
  const facts = await collectHostFacts({ qemuBinary });
  const line = (label: string, value: unknown) => console.log(`${label.padEnd(16)} ${value ?? 'unknown'}`);
  for (const [key, value] of Object.entries(facts)) line(key, value);
  line('guest arch', settings.arch);
  line('qemu binary', `${qemuBinary}: ${facts.qemuVersion ?? 'missing or not answering --version (run scripts/setup-host)'}`);
  line('machine', `${machine.name} (-M ${machine.machineArg}), console ${machine.consoleDevice}`);
  line('qemu-img', await toolVersion(qemuImgBinary(qemuBinary)));
  line('mkfs.ext4', await toolVersion('mkfs.ext4', ['-V'], 'stderr'));

  const image = await findGuestImage(imageChoice(settings));
  const wanted = await recipeHash(settings.arch);
  const around = settings.kernelPackage ? ` around ${settings.kernelPackage}` : '';
  line('guest image', image ? `built ${image.recipeHash.slice(0, 16)}${around}, kernel ${image.kernelVersion}, ${image.dir}` : `not built (recipe ${wanted.slice(0, 16)}${around}): run gauntlet image build${settings.kernelPackage ? ` --kernel-package ${settings.kernelPackage}` : ''}`);
  if (!image) {
    line('accelerator', 'unknown until the image is built (the probe boots it)');
    line('guest cpu', `${cpuModel('tcg', machine)} under TCG, host under KVM/HVF`);
    return 2;
  }
  line('guest kernel', settings.kernel ?? `${image.kernelVersion} (${image.kernel})`);
  // The initramfs loads these whatever kernel boots: a --kernel of the user's must match them or have them built in.
  line('guest modules', `${image.manifest.modules.join(' ') || 'none (all built in)'} (initramfs load order${settings.kernel ? `, built for ${image.kernelVersion}` : ''})`);
  const decision = await chooseAccelerator(settings.accelRequested, {
    qemuBinary,
    machine,
    kernel: settings.kernel ?? image.kernel,
    initramfs: image.initramfs,
  });
  line('accelerator', `${decision.accel}: ${decision.reason}`);
  line('guest cpu', cpuModel(decision.accel, machine));
  return 0;
}

function cpuModel(accel: Accelerator, machine: Parameters<typeof acceleratorArgs>[1]): string {
  const args = acceleratorArgs(accel, machine);
  return args[args.indexOf('-cpu') + 1]!;
}

async function toolVersion(binary: string, args = ['--version'], stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const result = await execa(binary, args, { reject: false });
  const text = (stream === 'stdout' ? result.stdout : result.stderr) || result.stdout || result.stderr;
  return result.failed && !text ? `missing (${binary})` : String(text).split('\n')[0];
}
