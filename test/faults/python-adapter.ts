/**
 * Runs suite files unchanged through examples/python-adapter, the runtime written from the docs alone.
 * The runtime is read from this worker's environment, so only the importing file's cases go through
 * it; the suites are spread over several files so their workers run side by side. The example boots
 * x86_64 guests only: on an aarch64 cell of `gauntlet test` the file says so and skips.
 */
import { ENV, readSettings } from '../../harness/config/settings.ts';
import { describe, test } from '../../harness/vitest/vm-test.ts';

export const PYTHON_ADAPTER = 'exec:python3 examples/python-adapter/adapter.py';

export async function throughPythonAdapter(...suites: Array<() => Promise<unknown>>): Promise<void> {
  if (readSettings().arch !== 'x86_64') {
    describe('python adapter', () => test.skip('boots x86_64 guests only', () => {}));
    return;
  }
  process.env[ENV.runtime] = PYTHON_ADAPTER;
  for (const suite of suites) await suite();
}
