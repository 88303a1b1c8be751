import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { DISK } from './limits.ts';
import {
  checkBystanderProgressDuringPeerFill,
  checkConcurrentWritersEnospc,
  checkFillDeleteCycles,
  checkInodeExhaustionAppendExisting,
  checkInodeExhaustionSurvives,
  checkRestartWithFullRootfs,
  checkRmAfterFillRecovers,
  checkRootfsBoundedIsolatedSurvivesFill,
  checkTwoVmsIsolated,
  diskVm,
} from './checks.ts';
import { describeDisk } from './disk-suite.ts';

// The guest fills its own root disk: bounded, isolated from its neighbours, and still usable after.
describeDisk(() => {
  test('rootfs-bounded-isolated-survives-fill', async ({ vm, task }) => {
    await checkRootfsBoundedIsolatedSurvivesFill(await vm(diskVm()), caseRecorder(task));
  });

  test('concurrent-writers-enospc', async ({ vm, task }) => {
    await checkConcurrentWritersEnospc(await vm(diskVm()), caseRecorder(task));
  });

  test('two-vms-isolated', async ({ vm, task }) => {
    const [victim, bystander] = await Promise.all([vm({ ...diskVm(), name: 'victim' }), vm({ ...diskVm(), name: 'bystander' })]);
    await checkTwoVmsIsolated(victim, bystander, caseRecorder(task));
  });

  test('bystander-progress-during-peer-fill', async ({ vm, task }) => {
    const [peer, bystander] = await Promise.all([vm({ ...diskVm(), name: 'peer' }), vm({ ...diskVm(), name: 'bystander' })]);
    await checkBystanderProgressDuringPeerFill(peer, bystander, caseRecorder(task));
  });

  test('inode-exhaustion-survives', async ({ vm, task }) => {
    await checkInodeExhaustionSurvives(await vm(diskVm({ rootfsInodes: DISK.rootfsInodes })), caseRecorder(task));
  });

  test('inode-exhaustion-append-existing', async ({ vm, task }) => {
    await checkInodeExhaustionAppendExisting(await vm(diskVm({ rootfsInodes: DISK.rootfsInodes })), caseRecorder(task));
  });

  test('restart-with-full-rootfs', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'stop-start');
    await checkRestartWithFullRootfs(await vm(diskVm()), caseRecorder(task));
  });

  test('rm-after-fill-recovers', async ({ vm, task }) => {
    await checkRmAfterFillRecovers(await vm(diskVm()), caseRecorder(task));
  });

  test('fill-delete-cycles', async ({ vm, task }) => {
    await checkFillDeleteCycles(await vm(diskVm()), caseRecorder(task));
  });
});
