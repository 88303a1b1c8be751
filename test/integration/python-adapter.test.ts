/**
 * The protocol's docs are enough to write a runtime: examples/python-adapter (Python's standard
 * library, QEMU driven by itself, the harness's guest kit) passes runtime check and the suites it
 * claims, unchanged (this file: lifecycle and snapshot; the balloon and disk suites in the files beside it).
 */
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { parseAdapterCommand } from '../../harness/runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../../harness/runtime/exec-adapter/conformance.ts';
import { formatFinding } from '../../harness/runtime/exec-adapter/conformance-findings.ts';
import { PYTHON_ADAPTER, throughPythonAdapter } from './python-adapter.ts';

const routed = await throughPythonAdapter(
  () => import('../../suites/lifecycle/lifecycle.test.ts'),
  () => import('../../suites/snapshot/snapshot.test.ts'),
);

describe('runtime check', () => {
  test('passes the Python adapter', async ({ skip }) => {
    if (!routed) skip('the Python adapter boots x86_64 guests only');
    const findings = await checkAdapter(parseAdapterCommand(PYTHON_ADAPTER));
    expect(findings.filter((finding) => finding.verdict !== 'ok').map(formatFinding)).toEqual([]);
  });
});
