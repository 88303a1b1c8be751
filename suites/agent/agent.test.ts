import { AGENT } from '../../harness/config/constants.ts';
import { recordMetric, recordSeries } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test, waitingTest } from '../../harness/vitest/vm-test.ts';
import { boundedAll } from '../../harness/host/budget.ts';
import { percentile } from '../../harness/metrics/percentile.ts';
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
} from './checks.ts';

describe('agent', () => {
  waitingTest('reconnect-after-idle-timeout', async ({ vm, runtime, task, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    // Once more with a production-like timeout; both VMs idle at the same time.
    const readTimeouts = [AGENT.readTimeoutSeconds, AGENT.productionReadTimeoutSeconds];
    const sandboxes = await boundedAll(readTimeouts, readTimeouts.length, (seconds) => vm({ agent: { readTimeoutSeconds: seconds } }));
    const roundTrips = await boundedAll(sandboxes, sandboxes.length, (sandbox) => checkReconnectAfterIdleTimeout(sandbox, runtime.accelerator));
    readTimeouts.forEach((seconds, i) => recordMetric(task, `exec after idle timeout (read timeout ${seconds} s)`, roundTrips[i]!, 'ms'));
  });

  waitingTest('multiple-reconnects', async ({ vm, runtime, task, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    const roundTrips = await checkMultipleReconnects(await vm(caseSpec), runtime.accelerator);
    recordMetric(task, 'slowest exec after idle timeout', Math.max(...roundTrips), 'ms');
  });

  waitingTest('reconnect-window-sweep', async ({ vm, task, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    const steps = await checkReconnectWindowSweep(await bootSweepVms(vm));
    recordSeries(task, 'round trip by idle time since the previous request', 'ms', steps.map((step) => ({ atMs: step.idleMs, value: step.roundTripMs })));
    recordMetric(task, 'reconnect latency (slowest sweep round trip)', Math.max(...steps.map((step) => step.roundTripMs)), 'ms');
  });

  test('respawn-after-kill', async ({ vm, task, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'gauntlet-agent');
    recordMetric(task, 'exec answered after kill', await checkRespawnAfterKill(await vm(caseSpec)), 'ms');
  });

  test('host-reconnect', async ({ vm, runtime, task, skip }) => {
    requireCapabilities(skip, runtime, 'agent-reconnect');
    recordMetric(task, 'reconnect latency', await checkHostReconnect(await vm(caseSpec)), 'ms');
  });

  test('large-output', async ({ vm }) => {
    await checkLargeOutput(await vm(caseSpec));
  });

  test('output-cap', async ({ vm, task }) => {
    const { growth, boundBytes } = await checkOutputCap(await vm(caseSpec));
    recordMetric(task, 'harness live memory growth', growth.live, 'bytes');
    recordMetric(task, 'harness live memory bound', boundBytes, 'bytes');
  });

  test('exec-timeout', async ({ vm }) => {
    await checkExecTimeout(await vm(caseSpec));
  });

  test('concurrent-exec', async ({ vm }) => {
    await checkConcurrentExec(await vm(caseSpec));
  });

  test('env-exit-stderr', async ({ vm, task }) => {
    const roundTrips = await checkEnvExitStderr(await vm(caseSpec));
    recordMetric(task, 'exec round trip p50', percentile(roundTrips, 50), 'ms');
    recordMetric(task, 'exec round trip p99', percentile(roundTrips, 99), 'ms');
  });
});
