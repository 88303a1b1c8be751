/**
 * The hostile cases as check functions: a guest misbehaves on purpose (SandboxSpec.hostile, or a
 * command that floods its console) and each check throws when the harness is hurt by it: an error
 * that is unclear or late, memory or a log that grows with what the guest writes, a stray reply taken
 * for a real one, or anything left running. The suite runs them against the reference runtime's
 * hardened host side; the fault tests against a host side that lacks one of its defences.
 */
import { expect } from 'vitest';
import { describeExecResult, execOkResult, pollUntil } from '../../harness/assert/index.ts';
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
  const seconds = HOSTILE_CASES.floodSeconds;
  const endsWithinMs = seconds * 1000 + deadlineMs(HOSTILE_CASES.floodEndGraceMs, accel);
  const startedAt = performance.now();
  // What went to the console is counted in the guest: the one line of output.
  const flood = `timeout ${seconds} yes '${marker}: a guest that writes to its console without pause' | tee /dev/console | wc -c`;
  const { result, growth } = await memoryDuring(() => sandbox.exec(flood, { timeoutSeconds: Math.ceil(endsWithinMs / 1000) }), HOSTILE_CASES.memorySampleIntervalMs);
  const floodMs = performance.now() - startedAt;
  expect(result.exitCode === 0 && !result.timedOut, `the flood ran; saw ${describeExecResult(result)}`).toBe(true);
  const guestBytes = Number(result.stdout.toString().trim());
  expect(guestBytes, 'bytes the guest wrote to its console: more than the kept log can hold, or the cap proves nothing').toBeGreaterThan(KEPT_CONSOLE_BYTES);
  expect(floodMs, `the flood ends and is answered within ${endsWithinMs} ms`).toBeLessThanOrEqual(endsWithinMs);

  const { keptBytes } = await sandbox.consoleLog();
  expect(keptBytes, `the kept console log is capped at ${KEPT_CONSOLE_BYTES} bytes while the guest wrote ${guestBytes}`).toBeLessThanOrEqual(KEPT_CONSOLE_BYTES);
  expect(await sandbox.consoleTail(3), 'the console tail shows the latest output').toContain(marker);
  expect(growth.live, `harness live memory growth while the console floods, within ${HOSTILE_CASES.floodMemoryBoundBytes} bytes`).toBeLessThanOrEqual(
    HOSTILE_CASES.floodMemoryBoundBytes,
  );
  await expectDestroyedLeavingNothing(sandbox);
  return { guestBytes, keptBytes, liveMemoryGrowth: growth.live };
}

export async function checkAgentGarbageFrames(sandbox: Sandbox): Promise<number> {
  const before = sandbox.agentChannel();
  await expectOwnOutput(sandbox, 'echo through the garbage', 'through the garbage\n');
  const after = sandbox.agentChannel();
  expect(after.protocolErrors - before.protocolErrors, 'the garbage before the reply is reported as protocol errors').toBeGreaterThan(0);
  expect(after.lastProtocolError?.name, `the error is typed; saw ${after.lastProtocolError}`).toBe('AgentProtocolError');

  // A fresh agent: the respawned one is as hostile, and must be as usable.
  const killed = Number((await expectOwnOutput(sandbox, `cat ${AGENT_PID_FILE}`)).stdout.toString());
  await expectOwnOutput(sandbox, `kill -9 ${killed} && echo killed`, 'killed\n');
  const fresh = await expectOwnOutput(sandbox, `cat ${AGENT_PID_FILE}`, undefined, { timeoutSeconds: AGENT_CASES.respawnExecTimeoutSeconds });
  expect(Number(fresh.stdout.toString()), 'a fresh agent answers').not.toBe(killed);

  const { peakHeldChars, protocolErrors } = sandbox.agentChannel();
  expect(peakHeldChars, `characters the host held at most of one unfinished frame, among lines of garbage up to 64 KiB`).toBeLessThanOrEqual(
    HOSTILE_CASES.garbageHeldCharsBound,
  );
  await expectDestroyedLeavingNothing(sandbox);
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
  if ('sandbox' in outcome) throw new Error('create of a VM whose agent never greets succeeded: the missing HELLO went unnoticed');
  const message = outcome.error.message.split('\n')[0]!;
  expect(message, 'create fails naming the missing HELLO greeting').toMatch(/HELLO/);
  expect(failedAfterMs, `create fails within the ready deadline (${deadline} ms)`).toBeLessThanOrEqual(deadline);
  expect(outcome.error, 'create reports what it left behind').toBeInstanceOf(SandboxCreateError);
  expect((outcome.error as SandboxCreateError).leftovers, 'nothing of the VM is left on the host').toEqual([]);
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
  expect(results.map(describeExecResult), 'every request got exactly its own reply').toEqual(
    indexes.map((i) => describeExecResult({ exitCode: 0, stdout: Buffer.from(`reply-${i}\n`), stderr: Buffer.alloc(0), timedOut: false })),
  );
  const executions = await expectOwnOutput(sandbox, `sort -n ${ran}`);
  expect(executions.stdout.toString(), 'every request ran once in the guest').toBe(indexes.map((i) => `${i}\n`).join(''));

  // Real replies: create's first exec, the concurrent ones, the sort.
  const realReplies = count + 2;
  const expected = HOSTILE_CASES.straysPerReply * realReplies;
  const counted = await pollUntil(async () => strays(), (n) => n >= expected, {
    timeoutMs: deadlineMs(HOSTILE_CASES.strayArrivalMs, accel),
    intervalMs: 50,
    what: `${expected} stray replies counted`,
  }).catch(() => strays());
  expect(counted, `stray replies ignored and counted: a duplicate and an unknown id after each of the ${realReplies} real replies`).toBe(expected);
  await expectDestroyedLeavingNothing(sandbox);
  return counted;
}

async function expectOwnOutput(sandbox: Sandbox, command: string, stdout?: string, options?: { timeoutSeconds: number }): Promise<ExecResult> {
  const result = await execOkResult(sandbox, command, options);
  if (stdout !== undefined) expect(result.stdout.toString(), `\`${command}\` gets its own output`).toBe(stdout);
  return result;
}

async function expectDestroyedLeavingNothing(sandbox: Sandbox): Promise<void> {
  await sandbox.destroy();
  expect(sandbox.state, 'state after destroy').toBe('destroyed');
  expect(await sandbox.leftovers(), 'nothing of the VM is left on the host').toEqual([]);
}
