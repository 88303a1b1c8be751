/**
 * Runs suite files unchanged through examples/python-adapter, the runtime written from the docs alone.
 * This worker (its own forked process) opens the run's target as the exec kind with the example as
 * its adapter, so only the importing file's cases go through it; the suites are spread over several
 * files so their workers run side by side. The example boots x86_64 guests only: on an aarch64 cell
 * of `gauntlet test` the file says so and skips.
 */
import { PREPARED_TARGET_ENV } from '../../harness/config/prepared-env.ts';
import { describe, test, workerTarget } from '../../harness/vitest/vm-test.ts';

export const PYTHON_ADAPTER = 'exec:python3 examples/python-adapter/adapter.py';

/** Registers the suites' cases through the Python adapter; false when this run's guests are not the example's. */
export async function throughPythonAdapter(...suites: Array<() => Promise<unknown>>): Promise<boolean> {
  const prepared = workerTarget();
  if (prepared.arch !== 'x86_64') {
    describe('python adapter', () => test.skip('boots x86_64 guests only', () => {}));
    return false;
  }
  process.env[PREPARED_TARGET_ENV] = JSON.stringify({ ...prepared, kind: 'exec', runtimeAdapter: PYTHON_ADAPTER });
  for (const suite of suites) await suite();
  return true;
}
