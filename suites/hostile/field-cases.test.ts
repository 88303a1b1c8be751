import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { describe, test } from '../../harness/vitest/vm-test.ts';
import { checkAgentStopsReading, stopsReadingSpec } from './field-checks.ts';

// The hostile cases from the field (bugs microVM runtimes shipped with).
describe('hostile', () => {
  test('agent-stops-reading', async ({ vm, task }) => {
    await checkAgentStopsReading(await vm(stopsReadingSpec), await vm(), caseRecorder(task));
  });
});
