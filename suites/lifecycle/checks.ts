/**
 * The lifecycle cases as check functions: each throws when the behaviour is broken. The suite runs
 * them on healthy VMs; the fault tests run them on broken ones and expect them to throw.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { BOOT, deadlineMs } from '../../harness/config/constants.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox } from '../../harness/contract/sandbox.ts';

/** Boots a VM (the case's action, so a VM that never gets ready fails the case) and returns its boot time. */
export async function checkBootToReady(boot: () => Promise<Sandbox>, accel: Accelerator): Promise<number> {
  const sandbox = await boot();
  const bootMs = sandbox.bootMs;
  expect(bootMs, 'boot time was not recorded').toBeTypeOf('number');
  expect(bootMs!, `ready within the ${accel} deadline`).toBeLessThanOrEqual(deadlineMs(BOOT.readyDeadlineMs, accel));
  return bootMs!;
}

export async function checkDestroyLeavesNothing(sandbox: Sandbox): Promise<void> {
  expect(sandbox.vmmPid, 'a running VM has a VMM process').toBeTypeOf('number');
  await sandbox.destroy();
  expect(sandbox.state).toBe('destroyed');
  expect(await sandbox.leftovers(), 'nothing of the VM is left on the host').toEqual([]);
}

export async function checkStopStartPreservesDisk(sandbox: Sandbox): Promise<void> {
  const token = randomBytes(16).toString('hex');
  const write = await sandbox.exec(`echo ${token} > /preserved && sync`);
  expect(write.exitCode, write.stderr.toString()).toBe(0);
  await sandbox.stop();
  expect(sandbox.state).toBe('stopped');
  await sandbox.start();
  const read = await sandbox.exec('cat /preserved');
  expect(read.stdout.toString().trim(), 'file written before stop').toBe(token);
}
