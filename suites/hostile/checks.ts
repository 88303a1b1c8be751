/**
 * The hostile cases as check functions: a guest misbehaves on purpose (SandboxSpec.hostile, or a
 * command that floods its console) and each check fails at a named claim when the harness is hurt by it: an error
 * that is unclear or late, memory or a log that grows with what the guest writes, a stray reply taken
 * for a real one, or anything left running. The suite runs them against the reference runtime's
 * hardened host side; the fault tests against a host side that lacks one of its defences.
 */
import { expect } from 'vitest';
import { describeExecResult, execOkResult, expectDestroyedLeavingNothing, holds, pollUntil } from '../../harness/assert/index.ts';
import { BOOT, deadlineMs } from '../../harness/config/constants.ts';
import { AGENT_CASES } from '../agent/limits.ts';
import { HOSTILE_CASES } from './limits.ts';
import { boundedAll } from '../../harness/host/budget.ts';
import { memoryDuring } from '../../harness/host/process-memory.ts';
import { SandboxCreateError } from '../../harness/contract/create-error.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { ExecResult, Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';

export const garbageFramesSpec: Partial<SandboxSpec> = { hostile: { agent: 'garbage-frames' } };
export const neverHelloSpec: Partial<SandboxSpec> = { hostile: { agent: 'never-hello' } };
export const unknownIdsSpec: Partial<SandboxSpec> = { hostile: { agent: 'unknown-ids' } };

/** Where the guest agent writes its process id (fixtures/guest/agent/gauntlet-agent.sh). */
const AGENT_PID_FILE = '/run/gauntlet-agent/pid';
const KEPT_CONSOLE_BYTES = HOSTILE_CASES.keptConsoleBytes;

export interface ConsoleFloodMeasurement {
  guestBytes: number;
  keptBytes: number;
  liveMemoryGrowth: number;
}

export async function checkConsoleFloodBounded(sandbox: Sandbox, accel: Accelerator): Promise<ConsoleFloodMeasurement> {
  const marker = 'gauntlet-console-flood';
  // Written once the flood is over: only a log that keeps the latest output still has it.
  const endMarker = 'gauntlet-console-flood-over';
  const seconds = HOSTILE_CASES.floodSeconds;
  const endsWithinMs = seconds * 1000 + deadlineMs(HOSTILE_CASES.floodEndGraceMs, accel);
  const startedAt = performance.now();
  // What went to the console is counted in the guest: the one line of output.
  const flood = `timeout ${seconds} yes '${marker}: a guest that writes to its console without pause' | tee /dev/console | wc -c; echo ${endMarker} > /dev/console`;
  const { result, growth } = await memoryDuring(() => sandbox.exec(flood, { timeoutSeconds: Math.ceil(endsWithinMs / 1000) }), HOSTILE_CASES.memorySampleIntervalMs);
  const floodMs = performance.now() - startedAt;
  await holds('console-flood-bounded/answered-in-time', () => {
    expect(result.exitCode === 0 && !result.timedOut, `the flood ran and ended; saw ${describeExecResult(result)}`).toBe(true);
    expect(floodMs, `the flood ends and is answered within ${endsWithinMs} ms`).toBeLessThanOrEqual(endsWithinMs);
  });
  const guestBytes = Number(result.stdout.toString().trim());
  expect(guestBytes, 'bytes the guest wrote to its console: more than the kept log can hold, or the cap proves nothing').toBeGreaterThan(KEPT_CONSOLE_BYTES);

  const { keptBytes } = await sandbox.consoleLog();
  await holds('console-flood-bounded/log-capped', () =>
    expect(keptBytes, `the kept console log is capped at ${KEPT_CONSOLE_BYTES} bytes while the guest wrote ${guestBytes}`).toBeLessThanOrEqual(KEPT_CONSOLE_BYTES),
  );
  const tail = await sandbox.consoleTail(3);
  await holds('console-flood-bounded/tail-latest', () => expect(tail, 'the console tail shows the latest output, written after the flood').toContain(endMarker));
  const memoryBound = Math.floor(guestBytes * HOSTILE_CASES.floodMemoryShareOfFlood);
  await holds('console-flood-bounded/host-memory-bounded', () =>
    expect(
      growth.live,
      `harness live memory growth while the console floods, within ${HOSTILE_CASES.floodMemoryShareOfFlood} of the ${guestBytes} bytes flooded (${memoryBound} bytes)`,
    ).toBeLessThanOrEqual(memoryBound),
  );
  await holds('console-flood-bounded/destroyed-leaving-nothing', () => expectDestroyedLeavingNothing(sandbox));
  return { guestBytes, keptBytes, liveMemoryGrowth: growth.live };
}

export async function checkAgentGarbageFrames(sandbox: Sandbox): Promise<number> {
  const before = sandbox.agentChannel();
  const execs = HOSTILE_CASES.garbageExecs;
  const indexes = Array.from({ length: execs }, (_, i) => i);
  // One after another: each reply comes behind its own garbage, and the host's memory is sampled
  // while all of it streams through.
  const { result: replies, growth } = await memoryDuring(async () => {
    const results: ExecResult[] = [];
    for (const i of indexes) results.push(await sandbox.exec(`echo through the garbage ${i}`));
    return results;
  }, HOSTILE_CASES.memorySampleIntervalMs);
  const after = sandbox.agentChannel();
  await holds('agent-garbage-frames/own-replies-garbage-reported', () => {
    expect(replies.map(describeExecResult), 'each exec gets its own reply through the garbage').toEqual(
      indexes.map((i) => describeExecResult({ exitCode: 0, stdout: Buffer.from(`through the garbage ${i}\n`), stderr: Buffer.alloc(0), timedOut: false })),
    );
    expect(after.protocolErrors - before.protocolErrors, 'the garbage before each reply is reported as protocol errors').toBeGreaterThanOrEqual(execs);
    expect(after.lastProtocolError?.name, `the error is typed; saw ${after.lastProtocolError}`).toBe('AgentProtocolError');
  });
  const garbageBytes = execs * HOSTILE_CASES.garbageBytesPerFrame;
  const memoryBound = Math.floor(garbageBytes * HOSTILE_CASES.garbageMemoryShare);
  await holds('agent-garbage-frames/host-memory-bounded', () =>
    expect(
      growth.live,
      `harness live memory growth (heap and buffers) while at least ${garbageBytes} bytes of garbage came in, within ${HOSTILE_CASES.garbageMemoryShare} of them (${memoryBound} bytes)`,
    ).toBeLessThanOrEqual(memoryBound),
  );

  // A fresh agent: the respawned one is as hostile, and must be as usable.
  const killed = Number((await expectOwnOutput(sandbox, `cat ${AGENT_PID_FILE}`)).stdout.toString());
  await expectOwnOutput(sandbox, `kill -9 ${killed} && echo killed`, 'killed\n');
  // Whether anything answers is the claim: no answer fails it by name.
  const fresh = await sandbox.exec(`cat ${AGENT_PID_FILE}`, { timeoutSeconds: AGENT_CASES.respawnExecTimeoutSeconds }).catch((error: Error) => error);
  await holds('agent-garbage-frames/fresh-agent-answers', () => {
    expect(fresh instanceof Error ? `no answer: ${fresh.message}` : describeExecResult(fresh), 'an exec after the kill is answered').not.toMatch(/^no answer/);
    const answered = fresh as ExecResult;
    expect(answered.exitCode, describeExecResult(answered)).toBe(0);
    expect(Number(answered.stdout.toString()), 'a fresh agent answers').not.toBe(killed);
  });

  const { peakHeldChars, protocolErrors } = sandbox.agentChannel();
  await holds('agent-garbage-frames/held-frame-bounded', () =>
    expect(peakHeldChars, `characters the host held at most of one unfinished frame, among lines of garbage up to 64 KiB`).toBeLessThanOrEqual(HOSTILE_CASES.garbageHeldCharsBound),
  );
  await holds('agent-garbage-frames/destroyed-leaving-nothing', () => expectDestroyedLeavingNothing(sandbox));
  return protocolErrors;
}

export interface NeverHelloOutcome {
  failedAfterMs: number;
  message: string;
}

/** `create` boots the VM whose agent never greets (the vm fixture, so a VM that does come up is still destroyed). */
export async function checkAgentNeverHello(create: () => Promise<Sandbox>, accel: Accelerator): Promise<NeverHelloOutcome> {
  const deadline = deadlineMs(BOOT.readyDeadlineMs, accel);
  const startedAt = performance.now();
  const outcome = await create().then(
    (sandbox) => ({ sandbox }),
    (error: Error) => ({ error }),
  );
  const failedAfterMs = performance.now() - startedAt;
  const message = 'error' in outcome ? outcome.error.message.split('\n')[0]! : 'create succeeded';
  await holds('agent-never-hello/fails-promptly-naming-hello', () => {
    expect(message, 'create fails naming the missing HELLO greeting').toMatch(/HELLO/);
    expect(failedAfterMs, `create fails within the ready deadline (${deadline} ms)`).toBeLessThanOrEqual(deadline);
  });
  const error = (outcome as { error: Error }).error;
  await holds('agent-never-hello/nothing-left', () => {
    expect(error, 'create reports what it left behind').toBeInstanceOf(SandboxCreateError);
    expect((error as SandboxCreateError).leftovers, 'nothing of the VM is left on the host').toEqual([]);
  });
  return { failedAfterMs, message };
}

export async function checkAgentUnknownIds(sandbox: Sandbox, accel: Accelerator): Promise<number> {
  const ran = '/tmp/unknown-ids-ran';
  // Counted since boot: the first exec of create had its strays too.
  const strays = () => sandbox.agentChannel().strayReplies;
  const count = HOSTILE_CASES.strayExecs;
  const indexes = Array.from({ length: count }, (_, i) => i);
  // Later requests finish first: each reply and the strays after it arrive while others still wait.
  const delay = (i: number) => ((count - 1 - i) * HOSTILE_CASES.strayStaggerSeconds).toFixed(2);
  const results = await boundedAll(indexes, count, (i) => sandbox.exec(`sleep ${delay(i)}; echo ${i} >> ${ran}; echo reply-${i}`));
  const executions = await expectOwnOutput(sandbox, `sort -n ${ran}`);
  // Real replies: create's first exec, the concurrent ones, the sort.
  const realReplies = count + 2;
  const expected = HOSTILE_CASES.straysPerReply * realReplies;
  const counted = await pollUntil(async () => strays(), (n) => n >= expected, {
    timeoutMs: deadlineMs(HOSTILE_CASES.strayArrivalMs, accel),
    intervalMs: 50,
    what: `${expected} stray replies counted`,
  }).catch(() => strays());
  await holds('agent-unknown-ids/own-replies-strays-ignored', () => {
    expect(results.map(describeExecResult), 'every request got exactly its own reply').toEqual(
      indexes.map((i) => describeExecResult({ exitCode: 0, stdout: Buffer.from(`reply-${i}\n`), stderr: Buffer.alloc(0), timedOut: false })),
    );
    expect(executions.stdout.toString(), 'every request ran once in the guest').toBe(indexes.map((i) => `${i}\n`).join(''));
    expect(counted, `stray replies ignored and counted: a duplicate and an unknown id after each of the ${realReplies} real replies`).toBe(expected);
  });
  await holds('agent-unknown-ids/destroyed-leaving-nothing', () => expectDestroyedLeavingNothing(sandbox));
  return counted;
}

async function expectOwnOutput(sandbox: Sandbox, command: string, stdout?: string, options?: { timeoutSeconds: number }): Promise<ExecResult> {
  const result = await execOkResult(sandbox, command, options);
  if (stdout !== undefined) expect(result.stdout.toString(), `\`${command}\` gets its own output`).toBe(stdout);
  return result;
}
