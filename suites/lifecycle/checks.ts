/**
 * The lifecycle cases as check functions: each states its row's claims with holds(), so a fault test
 * runs the very same check on a broken VM and sees which claim turned red.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { holds } from '../../harness/assert/index.ts';
import { filesOfVm, processesOfVm, vmDirOf } from '../../harness/assert/vm-leftovers.ts';
import { BOOT, deadlineMs } from '../../harness/config/constants.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { Sandbox } from '../../harness/contract/sandbox.ts';

/** Boots a VM (the case's action, so a VM that never gets ready fails the case) and returns its boot time. */
export async function checkBootToReady(boot: () => Promise<Sandbox>, accel: Accelerator): Promise<number> {
  const sandbox = await boot();
  const bootMs = sandbox.bootMs;
  expect(bootMs, 'boot time was not recorded').toBeTypeOf('number');
  await holds('boot-to-ready/ready-within-deadline', () =>
    expect(bootMs!, `ready within the ${accel} deadline`).toBeLessThanOrEqual(deadlineMs(BOOT.readyDeadlineMs, accel)),
  );
  return bootMs!;
}

/**
 * Destroys the VM, then looks at the host itself by the rule of where a sandbox lives (its directory
 * under the run dir, found by its `vmm.pid`): the runtime's own account of what is left, and destroy's
 * own complaint, come only after, so a leftover the runtime does not know of still fails the case.
 */
export async function checkDestroyLeavesNothing(sandbox: Sandbox, runDir: string): Promise<void> {
  const vmmPid = sandbox.vmmPid;
  expect(vmmPid, 'a running VM has a VMM process').toBeTypeOf('number');
  const vmDir = await vmDirOf(runDir, vmmPid!);
  expect(vmDir, `a directory under the run dir whose vmm.pid names the VMM ${vmmPid}`).toBeTypeOf('string');
  const overlayDir = sandbox.spec.disk?.overlayDir;
  const destroyFailure = await sandbox.destroy().then(
    () => undefined,
    (error: unknown) => error,
  );
  const processes = await processesOfVm(vmDir!);
  await holds('destroy-leaves-nothing/no-process-left', () => expect(processes, `processes naming ${vmDir} after destroy`).toEqual([]));
  const files = await filesOfVm(vmDir!, [runDir, ...(overlayDir ? [overlayDir] : [])]);
  await holds('destroy-leaves-nothing/no-file-left', () => expect(files, `the VM's directory, or files named after it, after destroy`).toEqual([]));
  if (destroyFailure !== undefined) throw destroyFailure;
  expect(sandbox.state).toBe('destroyed');
  expect(await sandbox.leftovers(), "the runtime's own account of what is left").toEqual([]);
}

export async function checkStopStartPreservesDisk(sandbox: Sandbox): Promise<void> {
  const token = randomBytes(16).toString('hex');
  const write = await sandbox.exec(`echo ${token} > /preserved && sync`);
  expect(write.exitCode, write.stderr.toString()).toBe(0);
  await sandbox.stop();
  expect(sandbox.state).toBe('stopped');
  await sandbox.start();
  const read = await sandbox.exec('cat /preserved');
  await holds('stop-start-preserves-disk/content-unchanged', () => expect(read.stdout.toString().trim(), 'file written before stop').toBe(token));
}
