/**
 * Each hostile case must turn red when the host side lacks the defence it is about: the case's own
 * check, run with the hostile guest against a host with the fault, throws for that reason.
 */
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
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

describe('hostile faults', () => {
  test('console-log-uncapped fails console-flood-bounded', async ({ vm, runtime }) => {
    const sandbox = await vm({ faults: ['console-log-uncapped'] });
    await expect(checkConsoleFloodBounded(sandbox, runtime.accelerator)).rejects.toThrow(/the kept console log is capped/);
  });

  test('client-unbounded-line-buffer fails agent-garbage-frames', async ({ vm }) => {
    const sandbox = await vm({ ...garbageFramesSpec, faults: ['client-unbounded-line-buffer'] });
    await expect(checkAgentGarbageFrames(sandbox)).rejects.toThrow(/characters the host held at most of one unfinished frame/);
  });

  test('client-no-hello-deadline fails agent-never-hello', async ({ vm, runtime }) => {
    const create = () => vm({ ...neverHelloSpec, faults: ['client-no-hello-deadline'] });
    await expect(checkAgentNeverHello(create, runtime.accelerator)).rejects.toThrow(/the missing HELLO/);
  });

  test('client-delivers-stray-replies fails agent-unknown-ids', async ({ vm, runtime }) => {
    const sandbox = await vm({ ...unknownIdsSpec, faults: ['client-delivers-stray-replies'] });
    await expect(checkAgentUnknownIds(sandbox, runtime.accelerator)).rejects.toThrow(/every request got exactly its own reply/);
  });

  test('client-exec-waits-forever fails agent-stops-reading', async ({ vm, task }) => {
    const victim = await vm({ ...stopsReadingSpec, faults: ['client-exec-waits-forever'] });
    await expect(checkAgentStopsReading(victim, await vm(), caseRecorder(task))).rejects.toThrow(/requests to the agent that stopped reading neither answered nor failed within \d+ ms: they hang/);
  });
});
