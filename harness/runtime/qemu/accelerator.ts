/**
 * Choosing QEMU's accelerator. Opening /dev/kvm proves nothing (a nested PVM host accepts KVM_CREATE_VM
 * and then fails every ordinary guest), so `auto` uses KVM or HVF only after a trivial guest really
 * booted on it, and says why when it falls back to TCG. A user who demanded an accelerator gets a
 * clear error instead of a silent fallback.
 */
import { PROBE } from './tuning.ts';
import { SettingsError, type AcceleratorChoice } from '../../config/settings.ts';
import { hardwareAccelerator, hostSupport } from '../../host/accelerator-support.ts';
import { thisHost, type HostPlatform } from '../../host/platform.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import { bootUntilConsoleLine } from './console-boot.ts';
import type { MachineProfile } from './machine.ts';

export interface AcceleratorDecision {
  accel: Accelerator;
  requested: AcceleratorChoice;
  /** One line a person can act on: why this accelerator, and why not the others. */
  reason: string;
}

/** A settings error: the demanded accelerator cannot be had here, which is no verdict on the runtime. */
export class AcceleratorUnavailableError extends SettingsError {
  override name = 'AcceleratorUnavailableError';
}

export interface ProbeTarget {
  qemuBinary: string;
  machine: MachineProfile;
  kernel: string;
  initramfs: string;
}

/** Boots a probe guest on `accel`; undefined when it booted, else why not. */
export type ProbeBoot = (accel: Accelerator, target: ProbeTarget) => Promise<string | undefined>;

export interface ProbeHost {
  platform: HostPlatform;
  bootProbe: ProbeBoot;
}

/** What the initramfs prints and then powers off, when booted with gauntlet.probe=1. */
export const PROBE_LINE = 'GAUNTLET-PROBE-OK';

const realHost: ProbeHost = { platform: thisHost, bootProbe: bootProbeGuest };

export async function chooseAccelerator(
  requested: AcceleratorChoice,
  target: ProbeTarget,
  host: ProbeHost = realHost,
): Promise<AcceleratorDecision> {
  if (requested === 'tcg') return { accel: 'tcg', requested, reason: 'TCG requested' };
  if (requested !== 'auto') {
    const problem = await whyUnusable(requested, target, host);
    if (problem) throw new AcceleratorUnavailableError(`${requested.toUpperCase()} was requested but is unusable: ${problem}`);
    return { accel: requested, requested, reason: `${requested.toUpperCase()} requested and a probe guest booted on it` };
  }
  const hardware = hardwareAccelerator(host.platform);
  const problem = await whyUnusable(hardware, target, host);
  if (!problem) return { accel: hardware, requested, reason: `${hardware.toUpperCase()} auto-selected: a probe guest booted on it` };
  return { accel: 'tcg', requested, reason: `${hardware.toUpperCase()} unusable (${problem}); falling back to TCG` };
}

/** Undefined when a probe guest booted on `accel`, else the reason it did not. */
async function whyUnusable(accel: Accelerator, target: ProbeTarget, host: ProbeHost): Promise<string | undefined> {
  const precondition = await hostSupport(accel, target.machine.arch, host.platform);
  if (precondition) return precondition;
  const failure = await host.bootProbe(accel, target);
  return failure === undefined ? undefined : `a probe guest did not boot: ${failure}`;
}

async function bootProbeGuest(accel: Accelerator, target: ProbeTarget): Promise<string | undefined> {
  const result = await bootUntilConsoleLine(
    target.qemuBinary,
    {
      machine: target.machine,
      accel,
      kernel: target.kernel,
      initramfs: target.initramfs,
      memoryMiB: PROBE.memoryMiB,
      vcpus: 1,
      kernelArgs: ['gauntlet.probe=1'],
    },
    PROBE_LINE,
    PROBE.deadlineMs,
  );
  return result.lineAfterMs === undefined ? result.failure : undefined;
}
