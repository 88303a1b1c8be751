/**
 * The runtime protocol carries everything the cases need: the lifecycle, balloon and agent suites,
 * unchanged, on the QEMU runtime served as an out-of-process adapter. The suite files register their
 * cases here; this file's worker (its own forked process) opens the run's target as the exec kind, so
 * only these cases go through the adapter.
 */
import { readFileSync } from 'node:fs';
import { ADAPTER } from '../../harness/runtime/exec-adapter/limits.ts';
import { PREPARED_TARGET_ENV, readPreparedTarget } from '../../harness/config/prepared-env.ts';
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { processExists } from '../../harness/host/process-exists.ts';
import { parseAdapterCommand } from '../../harness/runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../../harness/runtime/exec-adapter/conformance.ts';
import { formatFinding } from '../../harness/runtime/exec-adapter/conformance-findings.ts';

/** The adapter is killed this long into a 30 s exec: the request is surely on its way by then. */
const CRASH_AFTER_MS = 500;

const SERVED = 'exec:npx gauntlet runtime serve qemu';
// This worker opens the run's target as the exec kind: the same run, through the served adapter.
const prepared = readPreparedTarget();
if (prepared) process.env[PREPARED_TARGET_ENV] = JSON.stringify({ ...prepared, kind: 'exec', runtimeAdapter: SERVED });

await import('../../suites/lifecycle/lifecycle.test.ts');
await import('../../suites/balloon/balloon.test.ts');
await import('../../suites/balloon/balloon-reclaim.test.ts');
await import('../../suites/agent/agent.test.ts');

describe('runtime check', () => {
  test('passes the served QEMU adapter', async () => {
    const findings = await checkAdapter(parseAdapterCommand(SERVED));
    expect(findings.filter((finding) => finding.verdict !== 'ok').map(formatFinding)).toEqual([]);
  });
});

describe('an adapter that crashes in the middle of a case', () => {
  test('fails the case with its stderr and leaves no VMM behind', async ({ vm }) => {
    const sandbox = await vm();
    const vmmPid = sandbox.vmmPid!;
    // The VMM's parent is the adapter process that serves it: kill it while an exec is under way.
    const adapterPid = Number(readFileSync(`/proc/${vmmPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const exec = sandbox.exec('sleep 30');
    setTimeout(() => process.kill(adapterPid, 'SIGKILL'), CRASH_AFTER_MS);
    await expect(exec).rejects.toThrow(/^runtime adapter "npx gauntlet runtime serve qemu" (exited|was killed)[^]*stderr/);
    await expect.poll(() => processExists(vmmPid), { timeout: ADAPTER.exitGraceMs }).toBe(false);
  });
});
