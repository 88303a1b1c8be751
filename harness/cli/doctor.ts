/**
 * `gauntlet doctor`: what this host is, and what a run for the chosen guest arch would use: the run
 * target the selected runtime resolves (VMM binary and version, its tools, the accelerator and why),
 * the guest image and kernel.
 */
import { execa } from 'execa';
import { SettingsError, type RunSettings } from '../config/settings.ts';
import { collectHostFacts } from '../host/facts.ts';
import { findGuestImage, recipeHash } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { kindFor } from '../runtime/kinds.ts';
import type { Accelerator, ResolveTarget } from '../contract/run-target.ts';

export async function doctor(given: RunSettings): Promise<number> {
  const settings = await withResolvedKernelPackage(given, () => {});
  const line = (label: string, value: unknown) => console.log(`${label.padEnd(16)} ${value ?? 'unknown'}`);
  for (const [key, value] of Object.entries(await collectHostFacts())) line(key, value);
  line('guest arch', settings.arch);
  line('mkfs.ext4', await toolVersion('mkfs.ext4', ['-V'], 'stderr'));
  let resolveTarget: ResolveTarget;
  const kind = kindFor(settings.runtime);
  // The kind's own lines (its machine, its guest CPU); an adapter's are its business.
  const runtimeLines = (accel: Accelerator | undefined) => kind.describe?.(settings, accel) ?? [];
  try {
    resolveTarget = await kind.prepare(settings, (text) => line('runtime', text));
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    line('runtime', `${error.message} (run scripts/setup-host)`);
    return 2;
  }
  const image = await findGuestImage(imageChoice(settings));
  const wanted = await recipeHash(settings.arch);
  const around = settings.kernelPackage ? ` around ${settings.kernelPackage}` : '';
  line('guest image', image ? `built ${image.recipeHash.slice(0, 16)}${around}, kernel ${image.kernelVersion}, ${image.dir}` : `not built (recipe ${wanted.slice(0, 16)}${around}): run gauntlet image build${settings.kernelPackage ? ` --kernel-package ${settings.kernelPackage}` : ''}`);
  if (!image) {
    line('accelerator', 'unknown until the image is built (the probe boots it)');
    for (const [label, value] of runtimeLines(undefined)) line(label, value);
    return 2;
  }
  line('guest kernel', settings.kernel ?? `${image.kernelVersion} (${image.kernel})`);
  // The initramfs loads these whatever kernel boots: a --kernel of the user's must match them or have them built in.
  line('guest modules', `${image.manifest.modules.join(' ') || 'none (all built in)'} (initramfs load order${settings.kernel ? `, built for ${image.kernelVersion}` : ''})`);
  const target = await resolveTarget({ kernel: settings.kernel ?? image.kernel, initramfs: image.initramfs });
  line('runtime', `${target.runtime}${target.runtimeVersion ? ` ${target.runtimeVersion}` : ''}`);
  line('vmm', `${target.vmm ?? 'not named by the runtime'}${target.vmmBinary ? ` (${target.vmmBinary})` : ''}: ${target.vmmVersion ?? 'version not named'}`);
  if (target.vmmPackage) line('vmm package', `${target.vmmPackage.name} ${target.vmmPackage.version} from ${target.vmmPackage.source}`);
  for (const [name, version] of Object.entries(target.tools)) line(name, version);
  line('accelerator', `${target.accelerator}: ${target.acceleratorReason}`);
  for (const [label, value] of runtimeLines(target.accelerator)) line(label, value);
  return 0;
}

async function toolVersion(binary: string, args = ['--version'], stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const result = await execa(binary, args, { reject: false });
  const text = (stream === 'stdout' ? result.stdout : result.stderr) || result.stdout || result.stderr;
  return result.failed && !text ? `missing (${binary})` : String(text).split('\n')[0];
}
