import { caseRecorder, recordNote } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { checkLargeSparseDiskBounded, checkWriteBoundEveryPath, sparseSpec, writeBoundSpec } from './field-checks.ts';

// The disk cases from the field (bugs microVM runtimes shipped with).
describe('disk', () => {
  test('write-bound-every-path', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'scratch-disk', 'host-footprint');
    const absent = await checkWriteBoundEveryPath(await vm(writeBoundSpec), caseRecorder(task));
    if (absent.length > 0) recordNote(task, `not in this guest, so not written: ${absent.join(', ')}`);
  });

  test('large-sparse-disk-bounded', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'scratch-disk', 'disk-discard', 'host-footprint');
    await checkLargeSparseDiskBounded(await vm(sparseSpec), caseRecorder(task));
  });
});
