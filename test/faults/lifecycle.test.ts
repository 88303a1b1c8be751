import { describe, expect, test } from '../../harness/fixtures/vm-test.ts';
import { checkDestroyLeavesNothing } from '../../suites/lifecycle/checks.ts';

describe('lifecycle faults', () => {
  test('overlay-leak-on-destroy fails destroy-leaves-nothing', async ({ vm }) => {
    const leaky = await vm({ faults: ['overlay-leak-on-destroy'] });
    await expect(checkDestroyLeavesNothing(leaky)).rejects.toThrow(/left behind: .*root\.qcow2/);
  });
});
