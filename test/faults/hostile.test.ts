/**
 * Each hostile case turns red at its named claim when the host side lacks the defence the claim is
 * about: the case's own check, run with the hostile guest against a host with the fault (proves()).
 */
import { booted, describe } from '../../harness/vitest/vm-test.ts';
import { proves } from '../../harness/vitest/proof.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import type { SandboxSpec } from '../../harness/contract/sandbox.ts';
import {
  checkAgentGarbageFrames,
  checkAgentNeverHello,
  checkAgentUnknownIds,
  checkConsoleFloodBounded,
  garbageFramesSpec,
  neverHelloSpec,
  unknownIdsSpec,
} from '../../suites/hostile/checks.ts';
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { checkAgentStopsReading, stopsReadingSpec } from '../../suites/hostile/field-checks.ts';

const withFault = (fault: Fault, spec: Partial<SandboxSpec> = {}) => ({ ...spec, faults: [fault] });

describe('hostile faults', () => {
  proves('console-log-uncapped', 'console-flood-bounded/log-capped', async ({ vm, runtime }) =>
    checkConsoleFloodBounded(await vm(withFault('console-log-uncapped')), runtime.accelerator),
  );

  proves('console-log-keeps-start', 'console-flood-bounded/tail-latest', async ({ vm, runtime }) =>
    checkConsoleFloodBounded(await vm(withFault('console-log-keeps-start')), runtime.accelerator),
  );

  proves('console-capture-in-memory', 'console-flood-bounded/host-memory-bounded', async ({ vm, runtime }) =>
    checkConsoleFloodBounded(await vm(withFault('console-capture-in-memory')), runtime.accelerator),
  );

  // Booted: a restored VM's saved state is made by a template VM, whose destroy the fault breaks first.
  proves('overlay-leak-on-destroy', 'console-flood-bounded/destroyed-leaving-nothing', async ({ vm, runtime }) =>
    checkConsoleFloodBounded(await vm(withFault('overlay-leak-on-destroy', booted)), runtime.accelerator),
  );

  proves('client-hides-protocol-errors', 'agent-garbage-frames/own-replies-garbage-reported', async ({ vm }) =>
    checkAgentGarbageFrames(await vm(withFault('client-hides-protocol-errors', garbageFramesSpec))),
  );

  proves('client-keeps-bad-input', 'agent-garbage-frames/host-memory-bounded', async ({ vm }) =>
    checkAgentGarbageFrames(await vm(withFault('client-keeps-bad-input', garbageFramesSpec))),
  );

  proves('agent-no-respawn', 'agent-garbage-frames/fresh-agent-answers', async ({ vm }) =>
    checkAgentGarbageFrames(await vm(withFault('agent-no-respawn', garbageFramesSpec))),
  );

  proves('client-unbounded-line-buffer', 'agent-garbage-frames/held-frame-bounded', async ({ vm }) =>
    checkAgentGarbageFrames(await vm(withFault('client-unbounded-line-buffer', garbageFramesSpec))),
  );

  proves('overlay-leak-on-destroy', 'agent-garbage-frames/destroyed-leaving-nothing', async ({ vm }) =>
    checkAgentGarbageFrames(await vm(withFault('overlay-leak-on-destroy', garbageFramesSpec))),
  );

  proves('client-no-hello-deadline', 'agent-never-hello/fails-promptly-naming-hello', async ({ vm, runtime }) =>
    checkAgentNeverHello(() => vm(withFault('client-no-hello-deadline', neverHelloSpec)), runtime.accelerator),
  );

  proves('overlay-leak-on-destroy', 'agent-never-hello/nothing-left', async ({ vm, runtime }) =>
    checkAgentNeverHello(() => vm(withFault('overlay-leak-on-destroy', neverHelloSpec)), runtime.accelerator),
  );

  proves('client-delivers-stray-replies', 'agent-unknown-ids/own-replies-strays-ignored', async ({ vm, runtime }) =>
    checkAgentUnknownIds(await vm(withFault('client-delivers-stray-replies', unknownIdsSpec)), runtime.accelerator),
  );

  proves('overlay-leak-on-destroy', 'agent-unknown-ids/destroyed-leaving-nothing', async ({ vm, runtime }) =>
    checkAgentUnknownIds(await vm(withFault('overlay-leak-on-destroy', unknownIdsSpec)), runtime.accelerator),
  );

  proves('client-exec-waits-forever', 'agent-stops-reading/requests-fail-by-timeout', async ({ vm, task }) =>
    checkAgentStopsReading(await vm(withFault('client-exec-waits-forever', stopsReadingSpec)), await vm(), caseRecorder(task)),
  );

  proves('client-busy-waits-replies', 'agent-stops-reading/others-unhurt', async ({ vm, task }) =>
    checkAgentStopsReading(await vm(withFault('client-busy-waits-replies', stopsReadingSpec)), await vm(), caseRecorder(task)),
  );

  proves('overlay-leak-on-destroy', 'agent-stops-reading/destroyed-leaving-nothing', async ({ vm, task }) =>
    checkAgentStopsReading(await vm(withFault('overlay-leak-on-destroy', stopsReadingSpec)), await vm(), caseRecorder(task)),
  );
});
