/**
 * Each agent fault must turn its case red: the check that guards against it throws on a VM or client
 * that has the fault, for the reason the case is about (not a boot failure or a skip).
 */
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import {
  caseSpec,
  checkConcurrentExec,
  checkEnvExitStderr,
  checkExecTimeout,
  checkHostReconnect,
  checkLargeOutput,
  checkMultipleReconnects,
  checkOutputCap,
  checkReconnectAfterIdleTimeout,
  checkReconnectWindowSweep,
  bootSweepVms,
  checkRespawnAfterKill,
  sweepSpec,
} from '../../suites/agent/checks.ts';

const withFault = (fault: Fault, spec = caseSpec) => ({ ...spec, faults: [fault] });

describe('agent faults', () => {
  test('agent-unguarded-reopen fails reconnect-window-sweep', async ({ vm }) => {
    const sandboxes = await bootSweepVms(vm, withFault('agent-unguarded-reopen', sweepSpec));
    await expect(checkReconnectWindowSweep(sandboxes)).rejects.toThrow(/was never answered/);
  });

  test('agent-never-reopens fails reconnect-after-idle-timeout', async ({ vm, runtime }) => {
    const sandbox = await vm(withFault('agent-never-reopens'));
    await expect(checkReconnectAfterIdleTimeout(sandbox, runtime.accelerator)).rejects.toThrow(/port reopens by the agent during 1 idle timeout\(s\): expected \+?0 to be 1/);
  });

  test('agent-never-reopens fails multiple-reconnects', async ({ vm, runtime }) => {
    const sandbox = await vm(withFault('agent-never-reopens'));
    await expect(checkMultipleReconnects(sandbox, runtime.accelerator)).rejects.toThrow(/port reopens by the agent during 3 idle timeout\(s\): expected \+?0 to be 3/);
  });

  test('agent-never-reopens fails reconnect-window-sweep', async ({ vm }) => {
    const sandboxes = await bootSweepVms(vm, withFault('agent-never-reopens', sweepSpec));
    // Red either way for want of a reopen: no reopen is counted, or a request that arrived as the
    // agent's read timed out was lost (busybox `read -t` consumes the part it read) and no HELLO came
    // to have the host resend it. Which one depends on where the load puts the requests.
    const error = await checkReconnectWindowSweep(sandboxes).then(() => new Error('the sweep passed'), (reason: Error) => reason);
    expect(error.message).toMatch(/port reopens by the agent during the sweep .*: expected \+?0 to be greater than 0|was never answered/);
    const lost = /the request sent (\d+) ms after the previous one \(agent read timeout (\d+) ms\) was never answered/.exec(error.message);
    if (lost) expect(Number(lost[1]), 'a request lost without a reopen was sent after the read timeout').toBeGreaterThan(Number(lost[2]));
  });

  test('client-output-as-text fails large-output', async ({ vm }) => {
    const sandbox = await vm(withFault('client-output-as-text'));
    await expect(checkLargeOutput(sandbox)).rejects.toThrow(/bytes received: expected \d+ to be 8388608/);
  });

  test('client-ignores-truncated-flag fails output-cap', async ({ vm }) => {
    const sandbox = await vm(withFault('client-ignores-truncated-flag'));
    await expect(checkOutputCap(sandbox)).rejects.toThrow(/result marked truncated/);
  });

  test('client-keeps-transcript fails output-cap', async ({ vm }) => {
    const sandbox = await vm(withFault('client-keeps-transcript'));
    await expect(checkOutputCap(sandbox)).rejects.toThrow(/harness memory growth \(live heap and buffers\) within 2 × the \d+ bytes kept/);
  });

  test('agent-shell-only-kill fails exec-timeout', async ({ vm }) => {
    const sandbox = await vm(withFault('agent-shell-only-kill'));
    await expect(checkExecTimeout(sandbox)).rejects.toThrow(/still running/);
  });

  test('agent-pipeline-status fails env-exit-stderr', async ({ vm }) => {
    const sandbox = await vm(withFault('agent-pipeline-status'));
    await expect(checkEnvExitStderr(sandbox)).rejects.toThrow(/stdout and stderr apart, exit status kept/);
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
