/**
 * The bench's baseline: QEMU alone booting the guest kernel and initramfs to the init's first console
 * line, with no harness in the way, so the harness's own cost is what a create takes beyond it.
 */
import { BOOT, deadlineMs, VM_DEFAULTS } from '../../config/constants.ts';
import { FIRST_INIT_LINE } from '../../image/initramfs.ts';
import type { Accelerator, GuestArch, ProbeGuest } from '../../contract/run-target.ts';
import { bootUntilConsoleLine } from './console-boot.ts';
import { guestKernelArgs } from './guest-kernel-args.ts';
import { qemuBinaryFor, qemuMachine } from './machine.ts';

/** One raw boot per call, in milliseconds to the init's first line. */
export function qemuRawBoot(
  settings: { arch: GuestArch; machine?: string | undefined; vmmBinary?: string | undefined },
  accel: Accelerator,
  guest: ProbeGuest,
): () => Promise<number> {
  const qemuBinary = qemuBinaryFor(settings);
  const machine = qemuMachine(settings);
  return async () => {
    const result = await bootUntilConsoleLine(
      qemuBinary,
      {
        machine,
        accel,
        ...guest,
        memoryMiB: VM_DEFAULTS.memoryMiB,
        vcpus: VM_DEFAULTS.vcpus,
        kernelArgs: guestKernelArgs({ name: 'bench' }, accel),
      },
      FIRST_INIT_LINE,
      deadlineMs(BOOT.readyDeadlineMs, accel),
    );
    if (result.lineAfterMs === undefined) throw new Error(`raw boot failed: ${result.failure}`);
    return result.lineAfterMs;
  };
}
