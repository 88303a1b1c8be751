/**
 * The QEMU runtime's part of preparing a run, in two steps: the preflight of the build (cheap, so it
 * refuses before an image is built for nothing), then, with the image, the accelerator probe (a guest
 * must really boot on KVM/HVF). Its answer is the run target every worker, report and bench reads.
 */
import type { AcceleratorChoice } from '../../config/settings.ts';
import type { GuestArch, ResolveTarget } from '../contract/run-target.ts';
import { chooseAccelerator } from './accelerator.ts';
import { qemuBinaryFor, qemuMachine } from './machine.ts';
import { checkQemuBuild } from './preflight.ts';
import { fetchedQemuBehind } from './qemu-package.ts';

export interface QemuTargetChoice {
  arch: GuestArch;
  machine: string | undefined;
  vmmBinary: string | undefined;
  accelRequested: AcceleratorChoice;
}

export interface QemuPreflight {
  /** The build's version line, known before any guest boots. */
  qemuVersion: string;
  resolve: ResolveTarget;
}

/** Refuses a build that cannot run the suites (one line); then resolves the target once the probe guest exists. */
export async function prepareQemuTarget(choice: QemuTargetChoice): Promise<QemuPreflight> {
  const machine = qemuMachine(choice);
  const qemuBinary = qemuBinaryFor(choice);
  const tools = await checkQemuBuild(qemuBinary, machine);
  const fetched = await fetchedQemuBehind(qemuBinary);
  const resolve: ResolveTarget = async (guest) => {
    const decision = await chooseAccelerator(choice.accelRequested, { qemuBinary, machine, ...guest });
    return {
      runtime: 'qemu',
      vmm: 'qemu',
      vmmVersion: tools.qemuVersion,
      vmmBinary: qemuBinary,
      ...(fetched && { vmmPackage: { name: fetched.name, version: fetched.version, source: fetched.source } }),
      accelerator: decision.accel,
      acceleratorReason: decision.reason,
      arch: machine.arch,
      machine: machine.name,
      tools: { 'qemu-img': `${tools.qemuImg} (${tools.qemuImgVersion})` },
    };
  };
  return { qemuVersion: tools.qemuVersion, resolve };
}
