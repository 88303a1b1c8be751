/** What `gauntlet doctor` says of the QEMU runtime's machine: the board as QEMU is told it, the console, and the guest's CPU model. */
import type { Accelerator, GuestArch } from '../../contract/run-target.ts';
import { acceleratorArgs, qemuMachine } from './machine.ts';

export function describeQemuMachine(settings: { arch: GuestArch; machine?: string | undefined }, accel: Accelerator | undefined): [string, string][] {
  const machine = qemuMachine(settings);
  const cpuOf = (chosen: Accelerator) => {
    const args = acceleratorArgs(chosen, machine);
    return args[args.indexOf('-cpu') + 1]!;
  };
  return [
    ['machine', `${machine.name} (-M ${machine.machineArg}), console ${machine.consoleDevice}`],
    ['guest cpu', accel ? cpuOf(accel) : `${cpuOf('tcg')} under TCG, host under KVM/HVF`],
  ];
}
