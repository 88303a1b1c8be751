/**
 * Each agent fault must turn its case red: the check that guards against it throws on a VM or client
 * that has the fault, for the reason the case is about (not a boot failure or a skip).
 */
import { describe, expect, test } from '../../harness/fixtures/vm-test.ts';
import type { Fault } from '../../harness/runtime/types.ts';
import {
  caseSpec,
  checkConcurrentExec,
  checkHostReconnect,
  checkReconnectWindowSweep,
  checkRespawnAfterKill,
  sweepSpec,
} from '../../suites/agent/checks.ts';

const withFault = (fault: Fault, spec = caseSpec) => ({ ...spec, faults: [fault] });

describe('agent faults', () => {
  test('agent-unguarded-reopen fails reconnect-window-sweep', async ({ vm }) => {
    const sandbox = await vm(withFault('agent-unguarded-reopen', sweepSpec));
    await expect(checkReconnectWindowSweep(sandbox)).rejects.toThrow(/was never answered/);
  });

  test('agent-no-respawn fails respawn-after-kill', async ({ vm }) => {
    const sandbox = await vm(withFault('agent-no-respawn'));
    await expect(checkRespawnAfterKill(sandbox)).rejects.toThrow(/it was not respawned/);
  });

  test('client-ignores-request-ids fails host-reconnect', async ({ vm }) => {
    const sandbox = await vm(withFault('client-ignores-request-ids'));
    await expect(checkHostReconnect(sandbox)).rejects.toThrow(/`echo released .*` gets its own reply/);
  });

  test('client-ignores-request-ids fails concurrent-exec', async ({ vm }) => {
    const sandbox = await vm(withFault('client-ignores-request-ids'));
    await expect(checkConcurrentExec(sandbox)).rejects.toThrow(/each exec got its own result/);
  });
});
