/** The in-process QEMU runtime a prepared target describes: used by the test workers, the bench and `gauntlet runtime serve qemu`. */
import type { PreparedTarget } from '../../contract/prepared-target.ts';
import { qemuBinaryFor, qemuMachine } from './machine.ts';
import { QemuRuntime } from './runtime.ts';

/** Everything it needs is in the target: the image is not looked up, nor the recipe hashed, again. */
export function openQemuRuntime(target: PreparedTarget): QemuRuntime {
  return new QemuRuntime({
    qemuBinary: qemuBinaryFor(target),
    machine: qemuMachine(target),
    accel: target.accelerator,
    image: target.image,
    kernel: target.kernel,
    runDir: target.runDir,
    cold: target.cold,
  });
}
