import { describe, test } from '../../harness/vitest/vm-test.ts';
import { expectImagesConsistent } from './checks.ts';

/**
 * The disk group, whichever file its cases are in: after every case the runtime's disk image check
 * runs on every disk still there (image-consistency's check, applied to all).
 */
export function describeDisk(cases: () => void): void {
  describe('disk', () => {
    test.afterEach(async ({ vm }) => {
      await expectImagesConsistent(vm.created);
    });
    cases();
  });
}
