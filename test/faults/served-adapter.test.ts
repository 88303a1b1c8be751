/**
 * The runtime protocol carries everything the cases need: the lifecycle, balloon and agent suites,
 * unchanged, on the QEMU runtime served as an out-of-process adapter. The suite files register their
 * cases here; this file's worker (its own forked process) reads the runtime from its environment, so
 * only these cases go through the adapter.
 */
import { readFileSync } from 'node:fs';
import { ADAPTER } from '../../harness/config/constants.ts';
import { ENV } from '../../harness/config/settings.ts';
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { processExists } from '../../harness/host/process-exists.ts';
import { parseAdapterCommand } from '../../harness/runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../../harness/runtime/exec-adapter/conformance.ts';
import { formatFinding } from '../../harness/runtime/exec-adapter/conformance-findings.ts';

process.env[ENV.runtime] = 'exec:npx gauntlet runtime serve qemu';

await import('../../suites/lifecycle/lifecycle.test.ts');
await import('../../suites/balloon/balloon.test.ts');
await import('../../suites/balloon/balloon-reclaim.test.ts');
await import('../../suites/agent/agent.test.ts');

describe('runtime check', () => {
  test('passes the served QEMU adapter', async () => {
    const findings = await checkAdapter(parseAdapterCommand(process.env[ENV.runtime]!));
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
    setTimeout(() => process.kill(adapterPid, 'SIGKILL'), ADAPTER.crashTestKillAfterMs);
    await expect(exec).rejects.toThrow(/^runtime adapter "npx gauntlet runtime serve qemu" (exited|was killed)[^]*stderr/);
    await expect.poll(() => processExists(vmmPid), { timeout: ADAPTER.exitGraceMs }).toBe(false);
  });
});
