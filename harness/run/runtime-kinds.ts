/**
 * The one place that knows which runtime kinds exist (the QEMU runtime in process, an adapter process
 * with `--runtime exec:`): each kind's preflight, whose answer resolves the run target once, and how a
 * worker opens the kind the prepared settings name.
 */
import { SettingsError, type RunSettings } from '../config/settings.ts';
import { defaultCacheDir } from '../image/index.ts';
import type { ResolveTarget } from '../runtime/contract/run-target.ts';
import type { Runtime } from '../runtime/contract/sandbox.ts';
import { parseAdapterCommand } from '../runtime/exec-adapter/adapter-command.ts';
import { ExecRuntime } from '../runtime/exec-adapter/exec-runtime.ts';
import { adapterTarget } from '../runtime/exec-adapter/target.ts';
import { openQemuRuntime } from '../runtime/qemu/open-qemu.ts';
import { prepareQemuTarget } from '../runtime/qemu/prepare-target.ts';
import { fetchQemuPackage, parseQemuPackage } from '../runtime/qemu/qemu-package.ts';
import { adapterPreflight, describeAdapter } from './adapter-preflight.ts';

/**
 * Settings whose packaged VMM build (`--qemu-package`) is fetched and unpacked: vmmBinary points at
 * it, and vmmPackage names its exact version. A package that cannot be had is a refusal in one line.
 */
export async function withVmmPackage(settings: RunSettings, onProgress: (line: string) => void): Promise<RunSettings> {
  if (settings.vmmPackage === undefined) return settings;
  const fetched = await fetchQemuPackage(parseQemuPackage(settings.vmmPackage), {
    arch: settings.arch,
    cacheDir: settings.cacheDir ?? defaultCacheDir(),
    aptSources: settings.aptSources ?? [],
    progress: onProgress,
  }).catch((error: Error) => {
    throw new SettingsError(error.message.split('\n')[0]!);
  });
  onProgress(`QEMU package: ${fetched.name} ${fetched.version} from ${fetched.source}`);
  return { ...settings, vmmBinary: fetched.binary, vmmPackage: `${fetched.name}=${fetched.version}` };
}

/** The selected runtime kind's preflight; its answer resolves the run target once the image exists. */
export async function runtimePreflight(settings: RunSettings, onProgress: (line: string) => void): Promise<ResolveTarget> {
  if (!settings.runtime) return (await prepareQemuTarget(settings)).resolve;
  const hello = await adapterPreflight(settings.runtime);
  onProgress(`runtime: ${describeAdapter(settings.runtime, hello)}`);
  const target = adapterTarget(settings.runtime, hello, settings);
  return async () => target;
}

/** Builds the runtime the prepared settings describe, once per worker (and for the bench). */
export async function openRuntime(settings: RunSettings): Promise<Runtime> {
  const { target, runDir } = settings;
  if (!target || !runDir) {
    throw new Error('the run was not prepared (no run target or run dir): start tests through `gauntlet` or vitest with the global setup');
  }
  // An adapter reads the run's settings from the environment it inherits, as a worker does.
  if (settings.runtime) return ExecRuntime.open(parseAdapterCommand(settings.runtime), target.accelerator);
  return openQemuRuntime({ ...settings, runDir }, target.accelerator);
}
