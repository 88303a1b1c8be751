/**
 * Each agent fault turns its named claim red: the case's own check, run on a VM or client with the
 * fault, fails at that claim (proves()), not at a boot, a timeout or another claim.
 */
import { booted, describe } from '../../harness/vitest/vm-test.ts';
import { proves } from '../../harness/vitest/proof.ts';
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

const withFaults = (faults: Fault[], spec = caseSpec) => ({ ...spec, faults });

describe('agent faults', () => {
  proves('agent-unguarded-reopen', 'reconnect-window-sweep/each-answered-once', async ({ vm }) =>
    checkReconnectWindowSweep(await bootSweepVms(vm, withFaults(['agent-unguarded-reopen'], sweepSpec))),
  );

  proves('agent-never-reopens', 'reconnect-window-sweep/reopened-after-timeout', async ({ vm }) =>
    checkReconnectWindowSweep(await bootSweepVms(vm, withFaults(['agent-never-reopens'], sweepSpec))),
  );

  proves('agent-never-reopens', 'reconnect-after-idle-timeout/answered-after-reopen', async ({ vm, runtime }) =>
    checkReconnectAfterIdleTimeout(await vm(withFaults(['agent-never-reopens'])), runtime.accelerator),
  );

  // Booted: a restored VM's saved state is made by a template VM, whose destroy the fault breaks first.
  proves('overlay-leak-on-destroy', 'reconnect-after-idle-timeout/destroyed-leaving-nothing', async ({ vm, runtime }) =>
    checkReconnectAfterIdleTimeout(await vm(withFaults(['overlay-leak-on-destroy'], { ...caseSpec, ...booted })), runtime.accelerator),
  );

  proves('agent-never-reopens', 'multiple-reconnects/answered-after-each-reopen', async ({ vm, runtime }) =>
    checkMultipleReconnects(await vm(withFaults(['agent-never-reopens'])), runtime.accelerator),
  );

  proves('agent-no-respawn', 'respawn-after-kill/new-agent-answers', async ({ vm }) => checkRespawnAfterKill(await vm(withFaults(['agent-no-respawn']))));

  proves('client-ignores-request-ids', 'host-reconnect/own-replies-after-reconnect', async ({ vm }) =>
    checkHostReconnect(await vm(withFaults(['client-ignores-request-ids']))),
  );

  proves('client-strands-requests-on-disconnect', 'host-reconnect/old-request-settled', async ({ vm }) =>
    checkHostReconnect(await vm(withFaults(['client-strands-requests-on-disconnect']))),
  );

  proves('client-output-as-text', 'large-output/bytes-intact', async ({ vm }) => checkLargeOutput(await vm(withFaults(['client-output-as-text']))));

  // On an agent that does not truncate, so the cap the host keeps is its own.
  proves('client-no-output-cap', 'output-cap/keeps-the-cap', async ({ vm }) =>
    checkOutputCap(await vm(withFaults(['agent-no-output-cap', 'client-no-output-cap']))),
  );

  // Also on an agent that does not truncate: the host's own cap holds (keeps-the-cap passes first), and
  // only the host's own overflow can mark the result.
  proves('client-ignores-truncated-flag', 'output-cap/marked-truncated', async ({ vm }) =>
    checkOutputCap(await vm(withFaults(['agent-no-output-cap', 'client-ignores-truncated-flag']))),
  );

  proves('client-keeps-transcript', 'output-cap/host-memory-bounded', async ({ vm }) => checkOutputCap(await vm(withFaults(['client-keeps-transcript']))));

  proves('agent-shell-only-kill', 'exec-timeout/killed-and-reported', async ({ vm }) => checkExecTimeout(await vm(withFaults(['agent-shell-only-kill']))));

  proves('client-ignores-request-ids', 'concurrent-exec/each-own-result', async ({ vm }) => checkConcurrentExec(await vm(withFaults(['client-ignores-request-ids']))));

  proves('agent-pipeline-status', 'env-exit-stderr/all-intact', async ({ vm }) => checkEnvExitStderr(await vm(withFaults(['agent-pipeline-status']))));
});
