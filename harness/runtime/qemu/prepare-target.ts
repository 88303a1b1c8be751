/**
 * The QEMU runtime's part of preparing a run, in two steps: the preflight of the build (cheap, so it
 * refuses before an image is built for nothing; a `--qemu-package` build is fetched first), then, with
 * the image, the accelerator probe (a guest must really boot on KVM/HVF). Its answer is the run target
 * every worker, report and bench reads, the packaged build's name, version and source included.
 */
import { SettingsError, type AcceleratorChoice } from '../../config/settings.ts';
import type { GuestArch, ResolveTarget } from '../../contract/run-target.ts';
import { defaultCacheDir } from '../../image/index.ts';
import { chooseAccelerator } from './accelerator.ts';
import { qemuBinaryFor, qemuMachine } from './machine.ts';
import { checkQemuBuild } from './preflight.ts';
import { restoreTransport } from './restore-transport.ts';
import { fetchedQemuBehind, fetchQemuPackage, parseQemuPackage, type FetchedQemu } from './qemu-package.ts';

export interface QemuTargetChoice {
  arch: GuestArch;
  machine: string | undefined;
  vmmBinary: string | undefined;
  accelRequested: AcceleratorChoice;
  /** A packaged build to fetch and run instead of vmmBinary (`--qemu-package NAME[=VERSION]`), with the sources apt reads for it. */
  vmmPackage?: string | undefined;
  aptSources?: string[] | undefined;
  cacheDir?: string | undefined;
}

export interface QemuPreflight {
  /** The build's version line, known before any guest boots. */
  qemuVersion: string;
  resolve: ResolveTarget;
}

/** Refuses a build that cannot run the suites (one line); then resolves the target once the probe guest exists. */
export async function prepareQemuTarget(choice: QemuTargetChoice, onProgress: (line: string) => void = () => {}): Promise<QemuPreflight> {
  const packaged = choice.vmmPackage === undefined ? undefined : await packagedBuild(choice.vmmPackage, choice, onProgress);
  const machine = qemuMachine(choice);
  const qemuBinary = packaged?.binary ?? qemuBinaryFor(choice);
  const tools = await checkQemuBuild(qemuBinary, machine);
  // A wrapper given as --qemu is a packaged build too: its manifest names it.
  const fetched = packaged ?? (await fetchedQemuBehind(qemuBinary));
  const resolve: ResolveTarget = async (guest) => {
    const decision = await chooseAccelerator(choice.accelRequested, { qemuBinary, machine, ...guest });
    return {
      runtime: 'qemu',
      vmm: 'qemu',
      vmmVersion: tools.qemuVersion,
      vmmBinary: qemuBinary,
      ...(fetched && { vmmPackage: { name: fetched.name, version: fetched.version, source: fetched.source } }),
      restoreTransport: restoreTransport(tools.qemuVersion),
      accelerator: decision.accel,
      acceleratorReason: decision.reason,
      arch: machine.arch,
      machine: machine.name,
      tools: { 'qemu-img': `${tools.qemuImg} (${tools.qemuImgVersion})` },
    };
  };
  return { qemuVersion: tools.qemuVersion, resolve };
}

/** The packaged build fetched and unpacked (cached by version); one that cannot be had is a refusal in one line. */
async function packagedBuild(vmmPackage: string, choice: QemuTargetChoice, onProgress: (line: string) => void): Promise<FetchedQemu> {
  const options = { arch: choice.arch, cacheDir: choice.cacheDir ?? defaultCacheDir(), aptSources: choice.aptSources ?? [], progress: onProgress };
  const fetched = await (async () => fetchQemuPackage(parseQemuPackage(vmmPackage), options))().catch((error: Error) => {
    throw new SettingsError(error.message.split('\n')[0]!);
  });
  onProgress(`QEMU package: ${fetched.name} ${fetched.version} from ${fetched.source}`);
  return fetched;
}
