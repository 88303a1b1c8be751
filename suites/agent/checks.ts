/**
 * The agent cases as check functions: each states its row's claims with holds(), and fails at the claim
 * whose promise the channel broke (lost, duplicated or mixed up what it carries). The suite runs them on
 * healthy VMs; the fault tests run them on a broken agent or client and expect that claim to fail.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { describeExecResult, execOkResult, expectDestroyedLeavingNothing, holds } from '../../harness/assert/index.ts';
import { AGENT, deadlineMs } from '../../harness/config/constants.ts';
import { AGENT_CASES } from './limits.ts';
import { boundedAll } from '../../harness/host/budget.ts';
import { memoryDuring, type MemoryFigures } from '../../harness/host/process-memory.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import type { ExecOptions, ExecResult, Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import { sweepOffsets } from './sweep-plan.ts';

/** Where the guest agent writes its process id (fixtures/guest/agent/gauntlet-agent.sh). */
const AGENT_PID_FILE = '/run/gauntlet-agent/pid';
/** Where the guest agent counts the times it opened its port, reopens after idle timeouts included. */
const AGENT_OPENS_FILE = '/run/gauntlet-agent/opens';
/** Every exit status a process can report. */
const EXIT_STATUSES = 256;

/** The VM the checks expect: a short agent read timeout, so idle timeouts come within seconds. */
export const caseSpec: Partial<SandboxSpec> = { agent: { readTimeoutSeconds: AGENT.readTimeoutSeconds } };
export const sweepSpec: Partial<SandboxSpec> = { agent: { readTimeoutSeconds: AGENT_CASES.sweep.readTimeoutSeconds } };

export async function checkReconnectAfterIdleTimeout(sandbox: Sandbox, accel: Accelerator): Promise<number> {
  await expectOutput(sandbox, 'echo before timeout', 'before timeout\n');
  const opens = await portOpens(sandbox);
  await idlePastReadTimeout(sandbox, accel);
  const after = await holds('reconnect-after-idle-timeout/answered-after-reopen', async () => {
    const result = await expectOutput(sandbox, 'echo after timeout', 'after timeout\n');
    await expectReopens(sandbox, opens, 1);
    return result;
  });
  await holds('reconnect-after-idle-timeout/destroyed-leaving-nothing', () => expectDestroyedLeavingNothing(sandbox));
  return after.durationMs;
}

/** Round trips of the execs that each follow an idle timeout. */
export async function checkMultipleReconnects(sandbox: Sandbox, accel: Accelerator): Promise<number[]> {
  await expectOutput(sandbox, 'echo iteration 0', 'iteration 0\n');
  const opens = await portOpens(sandbox);
  return holds('multiple-reconnects/answered-after-each-reopen', async () => {
    const roundTrips: number[] = [];
    for (let cycle = 1; cycle <= AGENT_CASES.reconnectCycles; cycle++) {
      await idlePastReadTimeout(sandbox, accel);
      roundTrips.push((await expectOutput(sandbox, `echo iteration ${cycle}`, `iteration ${cycle}\n`)).durationMs);
    }
    await expectReopens(sandbox, opens, AGENT_CASES.reconnectCycles);
    return roundTrips;
  });
}

export interface SweepStep {
  /** How far past the agent's read timeout the step idled, as planned. */
  offsetSeconds: number;
  /**
   * How long the agent's read had waited, by the guest's own clock: from the previous request's
   * command starting (the agent had just gone back to reading) to this one's.
   */
  idleMs: number;
  roundTripMs: number;
}

/** The sweep's VMs, booted at once: its offsets are dealt over them (AGENT_CASES.sweep.lanes). */
export function bootSweepVms(boot: (spec: Partial<SandboxSpec>) => Promise<Sandbox>, spec: Partial<SandboxSpec> = sweepSpec): Promise<Sandbox[]> {
  return Promise.all(Array.from({ length: AGENT_CASES.sweep.lanes }, () => boot(spec)));
}

/** Every offset of the sweep, dealt round robin over the VMs, each VM idling through its share at the same time. */
export async function checkReconnectWindowSweep(sandboxes: readonly Sandbox[]): Promise<SweepStep[]> {
  const offsets = sweepOffsets(AGENT_CASES.sweep);
  // Every lane to its end before a verdict: none is left sending to a VM the teardown destroys.
  const settled = await Promise.allSettled(sandboxes.map((sandbox, lane) => sweepLane(sandbox, offsets.filter((_, index) => index % sandboxes.length === lane))));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const lanes = settled.map((result) => (result as PromiseFulfilledResult<SweepLane>).value);
  const readTimeoutMs = readTimeoutSeconds(sandboxes[0]!) * 1000;
  // The reopens first: they are counted from the answered requests alone, so an agent that never
  // reopens is caught here whether or not it also lost a request sent as its read timed out.
  await holds('reconnect-window-sweep/reopened-after-timeout', () => expectSweepReopens(lanes, readTimeoutMs));
  await holds('reconnect-window-sweep/each-answered-once', () => {
    expect(lanes.flatMap((lane) => (lane.lost ? [lane.lost] : [])), 'requests without their own reply').toEqual([]);
    for (const lane of lanes) expect(lane.ran, `every request ran exactly once in the guest of ${lane.name}, in the order sent`).toEqual(lane.sent);
  });
  return lanes.flatMap((lane) => lane.steps).sort((a, b) => a.idleMs - b.idleMs);
}

interface SweepLane {
  name: string;
  steps: SweepStep[];
  /** The agent's port opens each answered request saw, the first one ('start') included. */
  opensByRequest: number[];
  sent: string[];
  /** The tokens of the requests that ran in the guest, in order: read back only when none was lost. */
  ran: string[] | undefined;
  /** The request that got no reply of its own (none, or another's): the lane stops there. */
  lost: string | undefined;
}

async function sweepLane(sandbox: Sandbox, offsets: readonly number[]): Promise<SweepLane> {
  const readTimeoutMs = readTimeoutSeconds(sandbox) * 1000;
  const executions = '/tmp/sweep-executions';
  const sent: string[] = [];
  const steps: SweepStep[] = [];
  const opensByRequest: number[] = [];
  // Each command appends its token in the guest: a request run twice shows there even though the
  // host drops the second reply as a duplicate. Beside it, in the log and the reply, the agent's port
  // opens so far (whether the idle before this request reopened the port) and the guest's clock as the
  // command starts, from which the agent's own idle is read.
  const send = async (token: string, what: string) => {
    sent.push(token);
    const command = `read up _ </proc/uptime; line="${token} $(cat ${AGENT_OPENS_FILE}) $up"; echo "$line" >> ${executions}; echo "$line"`;
    const result = await sandbox.exec(command, { timeoutSeconds: AGENT_CASES.sweep.execTimeoutSeconds });
    const [, opens, uptime] = result.stdout.toString().split(' ');
    expectOwnOutput(result, `${token} ${opens} ${uptime}`, what);
    opensByRequest.push(Number(opens));
    return { result, guestMs: Number(uptime) * 1000 };
  };
  let previous = await send('start', 'the first request');
  let repliedAt = performance.now();
  for (const [index, offsetSeconds] of offsets.entries()) {
    // The agent goes back to its read as the previous request's command starts, before that reply is
    // sent: counted from the reply, the idle it sees is at least the planned one, however late a loaded
    // guest took the request up. Counted from the send, a guest a second behind saw no timeout at all.
    await sleep(Math.max(0, repliedAt + readTimeoutMs + offsetSeconds * 1000 - performance.now()));
    const what = `the request sent ${Math.round(performance.now() - repliedAt)} ms after the previous reply (agent read timeout ${readTimeoutMs} ms)`;
    const answered = await send(`step-${index}`, what).then(
      (reply) => reply,
      (error: Error) => error,
    );
    repliedAt = performance.now();
    if (answered instanceof Error) {
      const lost = `${what} got no reply of its own: ${answered.message.split('\n', 1)[0]}; answered before it: ${describeSteps(steps)}`;
      // A lost request leaves the agent's read timing unknown: a read-back could be lost as well.
      return { name: sandbox.name, steps, opensByRequest, sent, ran: undefined, lost };
    }
    steps.push({ offsetSeconds, idleMs: answered.guestMs - previous.guestMs, roundTripMs: answered.result.durationMs });
    previous = answered;
  }
  const ran = (await execOkResult(sandbox, `cat ${executions}`)).stdout.toString().trim().split('\n').map((line) => line.split(' ')[0]!);
  return { name: sandbox.name, steps, opensByRequest, sent, ran, lost: undefined };
}

/**
 * The sweep only probes the reopen window if the agent really reopened in it: never before its read
 * timeout, at most once per idle (each is shorter than two timeouts), and at all. When within the
 * moment past the timeout a reopen comes depends on the guest's load, so no single step must see one.
 * "At all" is judged on the lanes that went through all their steps: one cut short by a lost request
 * has failed the other claim, and where it stopped says nothing about reopens.
 */
function expectSweepReopens(lanes: readonly SweepLane[], readTimeoutMs: number): void {
  const reopened = lanes.flatMap((lane) => lane.steps.map((step, index) => ({ step, reopens: opensSeen(lane, index) })));
  // Judged by the guest's idle: a loaded guest takes a request up late and idles longer than planned.
  // That idle is read as the commands start, a moment after the agent's reads: one coarse step of slack.
  const slackMs = AGENT_CASES.sweep.stepSeconds * 1000;
  const early = reopened.filter(({ step, reopens }) => step.idleMs < readTimeoutMs - slackMs && reopens !== 0);
  expect(early.map(({ step }) => describeStep(step.idleMs, readTimeoutMs)), 'requests that found the port reopened before the read timeout').toEqual([]);
  const repeated = reopened.filter(({ step, reopens }) => step.idleMs < 2 * readTimeoutMs && reopens > 1);
  expect(repeated.map(({ step }) => describeStep(step.idleMs, readTimeoutMs)), 'requests that found the port reopened more than once since the previous one').toEqual([]);
  const whole = lanes.filter((lane) => !lane.lost);
  if (whole.length === 0) return;
  const steps = whole.flatMap((lane) => lane.steps);
  const total = whole.reduce((sum, lane) => sum + lane.steps.reduce((opens, _, index) => opens + opensSeen(lane, index), 0), 0);
  const seen = whole.map((lane) => lane.steps.map((step, index) => `${step.offsetSeconds}s:${opensSeen(lane, index)}`).join(' '));
  expect(
    total,
    `port reopens by the agent during the sweep (${steps.filter((step) => step.offsetSeconds > 0).length} idles past its read timeout; offset:reopens by lane: ${seen.join(' | ')})`,
  ).toBeGreaterThan(0);
}

function opensSeen(lane: SweepLane, stepIndex: number): number {
  return lane.opensByRequest[stepIndex + 1]! - lane.opensByRequest[stepIndex]!;
}

function describeStep(idleMs: number, readTimeoutMs: number): string {
  return `the request the agent read ${Math.round(idleMs)} ms after the previous one, by the guest's clock (agent read timeout ${readTimeoutMs} ms)`;
}

function describeSteps(steps: readonly SweepStep[]): string {
  if (steps.length === 0) return 'none';
  return `${steps.map((step) => `${Math.round(step.idleMs)} ms → ${step.roundTripMs} ms`).join(', ')} (idle → round trip)`;
}

/** Round trip of the first exec after the kill: the time to respawn and reach the new agent. */
export async function checkRespawnAfterKill(sandbox: Sandbox): Promise<number> {
  const killed = Number((await execOkResult(sandbox, `cat ${AGENT_PID_FILE}`)).stdout.toString());
  // The handler running this request outlives the agent it kills, so the request is still answered.
  await expectOutput(sandbox, `kill -9 ${killed} && echo killed`, 'killed\n');
  // Whether anything answers is the claim: no answer fails it by name.
  const next = await sandbox.exec(`cat ${AGENT_PID_FILE}`, { timeoutSeconds: AGENT_CASES.respawnExecTimeoutSeconds }).catch((error: Error) => error);
  return holds('respawn-after-kill/new-agent-answers', () => {
    expect(next instanceof Error ? `no answer: ${next.message}` : 'answered', `an exec after the agent (pid ${killed}) was killed is answered, so it was respawned`).toBe('answered');
    const answered = next as ExecResult;
    expect(answered.exitCode, describeExecResult(answered)).toBe(0);
    expect(Number(answered.stdout.toString()), 'the agent answering now is a new process').not.toBe(killed);
    return answered.durationMs;
  });
}

/** Reconnect latency: from dropping the connection to the first exec answered on the new one. */
export async function checkHostReconnect(sandbox: Sandbox): Promise<number> {
  const started = '/tmp/host-reconnect-started';
  const gate = '/tmp/host-reconnect-gate';
  await expectOutput(sandbox, `rm -f ${started} ${gate} && mkfifo ${started} ${gate} && echo ready`, 'ready\n');
  // Answered once the old request has started in the guest, so the old request is there before the
  // connection drops; sent first, so its reply is the first one even for a client that ignores ids.
  const taken = expectOutput(sandbox, `read signal < ${started}; echo taken`, 'taken\n');
  // The old request then blocks on the gate, which only the new request opens: its reply comes after
  // the reconnect, while the new request is still waiting for its own.
  let old: { result: ExecResult } | { error: Error } | undefined;
  void sandbox
    .exec(`echo > ${started}; read word < ${gate}; echo old-$word`, { timeoutSeconds: AGENT_CASES.hostReconnect.oldRequestTimeoutSeconds })
    .then((result) => (old = { result }), (error: Error) => (old = { error }));
  await taken;

  const droppedAt = performance.now();
  await sandbox.reconnectAgent();
  const delay = AGENT_CASES.hostReconnect.newReplyDelaySeconds;
  const reconnectMs = await holds('host-reconnect/own-replies-after-reconnect', async () => {
    await expectOutput(sandbox, 'echo reconnected', 'reconnected\n');
    const ms = performance.now() - droppedAt;
    await expectOutput(sandbox, `echo released > ${gate}; sleep ${delay}; echo new`, 'new\n');
    return ms;
  });
  // The old request failed with the connection it was sent on, or (a runtime that keeps it) got its
  // own reply, which comes the new reply's delay before the new one: by now it has settled either way.
  await holds('host-reconnect/old-request-settled', () => {
    const seen = old === undefined ? 'still waiting' : 'error' in old ? 'failed' : describeExecResult(old.result);
    expect(['failed', describeExecResult(expectedResult(0, 'old-released\n', ''))], 'the old request failed or got its own reply').toContain(seen);
  });
  return reconnectMs;
}

export async function checkLargeOutput(sandbox: Sandbox): Promise<void> {
  const bytes = AGENT_CASES.largeOutputBytes;
  const copy = '/tmp/large-output';
  const streamed = await execOkResult(sandbox, `head -c ${bytes} /dev/urandom | tee ${copy}`);
  const [guestHash] = (await execOkResult(sandbox, `sha256sum ${copy}`)).stdout.toString().split(' ');
  await holds('large-output/bytes-intact', () => {
    expect(streamed.truncated, 'output within the limit is not truncated').toBe(false);
    expect(streamed.stdout.length, 'bytes received').toBe(bytes);
    expect(createHash('sha256').update(streamed.stdout).digest('hex'), 'sha256 of what the host received vs of what the guest wrote').toBe(guestHash);
  });
}

export interface OutputCapMeasurement {
  growth: MemoryFigures;
  boundBytes: number;
}

export async function checkOutputCap(sandbox: Sandbox): Promise<OutputCapMeasurement> {
  const word = 'gauntlet-output-cap';
  const kept = AGENT.outputLimitBytes;
  const boundBytes = kept * AGENT_CASES.outputCap.hostMemoryPerKeptByte;
  // No output limit given: the host's default is the bound a careless caller relies on.
  const { result, growth } = await memoryDuring(() => sandbox.exec(`yes ${word}`), AGENT_CASES.outputCap.memorySampleIntervalMs);
  // The cap before the flag: a host that keeps everything also has nothing to mark.
  await holds('output-cap/keeps-the-cap', () => {
    expect(result.stdout.length, 'bytes the host kept').toBe(kept);
    expect(result.stdout.equals(Buffer.alloc(kept, `${word}\n`)), 'what the host kept is the start of the output').toBe(true);
  });
  await holds('output-cap/marked-truncated', () => expect(result.truncated, `result marked truncated; saw ${describeExecResult(result)}`).toBe(true));
  await holds('output-cap/host-memory-bounded', () =>
    expect(growth.live, `harness memory growth (live heap and buffers) within ${AGENT_CASES.outputCap.hostMemoryPerKeptByte} × the ${kept} bytes kept`).toBeLessThanOrEqual(boundBytes),
  );
  return { growth, boundBytes };
}

export async function checkExecTimeout(sandbox: Sandbox): Promise<void> {
  const { timeoutSeconds, commandSeconds } = AGENT_CASES.execTimeout;
  const childPid = '/tmp/outlived-timeout.pid';
  // A child in the background as well: the whole command must be killed, not only its shell. The
  // child leaves the output pipe alone, so an agent that kills only the shell still replies and the
  // child's fate is what tells.
  const result = await sandbox.exec(`sleep ${commandSeconds} >/dev/null 2>&1 & echo $! > ${childPid}; wait`, { timeoutSeconds });
  // Gone, or a zombie its new parent has yet to reap: either way no longer running.
  const childCheck = `state=$(cut -d' ' -f3 /proc/"$(cat ${childPid})"/stat 2>/dev/null); [ -z "$state" ] || [ "$state" = Z ] && echo killed || echo "still running ($state)"`;
  const child = await sandbox.exec(childCheck);
  await holds('exec-timeout/killed-and-reported', () => {
    expect(result.timedOut, `result says timed out; saw ${describeExecResult(result)}`).toBe(true);
    expectOwnOutput(child, 'killed\n', 'the next exec, asking after the background child,');
  });
}

export async function checkConcurrentExec(sandbox: Sandbox): Promise<void> {
  const count = AGENT_CASES.concurrentExecs;
  const indexes = Array.from({ length: count }, (_, i) => i);
  // Later requests finish first, so replies come back in the reverse of the order they were sent.
  const delay = (i: number) => ((count - 1 - i) * AGENT_CASES.concurrentStaggerSeconds).toFixed(2);
  const results = await boundedAll(indexes, count, (i) => sandbox.exec(`sleep ${delay(i)}; echo out-${i}; echo err-${i} >&2; exit ${i + 1}`));
  await holds('concurrent-exec/each-own-result', () =>
    expect(results.map(describeExecResult), 'each exec got its own result').toEqual(indexes.map((i) => describeExecResult(expectedResult(i + 1, `out-${i}\n`, `err-${i}\n`)))),
  );
}

/** Round trips of the exit-status execs, run one after another: the suite's exec round-trip sample. */
export async function checkEnvExitStderr(sandbox: Sandbox): Promise<number[]> {
  const env = {
    GAUNTLET_PLAIN: 'plain',
    GAUNTLET_SPACES: '  two  spaces\tand a tab ',
    GAUNTLET_QUOTES: `it's "quoted" \\ $HOME \`uname\` $(id)`,
    GAUNTLET_NEWLINES: 'first\nsecond\n',
    GAUNTLET_UNICODE: 'žluťoučký kůň ✓',
    GAUNTLET_EMPTY: '',
  };
  const printed = await execOkResult(sandbox, `printf '%s\\0' ${Object.keys(env).map((name) => `"$${name}"`).join(' ')}`, { env });
  const separated = await sandbox.exec('echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2; exit 3');
  const statuses: number[] = [];
  const roundTrips: number[] = [];
  for (let status = 0; status < EXIT_STATUSES; status++) {
    const result = await sandbox.exec(`exit ${status}`);
    statuses.push(result.exitCode);
    roundTrips.push(result.durationMs);
  }
  await holds('env-exit-stderr/all-intact', () => {
    expect(printed.stdout.toString('utf8').split('\0').slice(0, -1), 'environment values as the command sees them').toEqual(Object.values(env));
    expect(describeExecResult(separated), 'stdout and stderr apart, exit status kept').toBe(describeExecResult(expectedResult(3, 'out-1\nout-2\n', 'err-1\nerr-2\n')));
    expect(statuses, 'exit statuses 0–255').toEqual(Array.from({ length: EXIT_STATUSES }, (_, status) => status));
  });
  return roundTrips;
}

function readTimeoutSeconds(sandbox: Sandbox): number {
  const seconds = sandbox.spec.agent?.readTimeoutSeconds;
  if (seconds === undefined) throw new Error(`VM ${sandbox.name} was created without spec.agent.readTimeoutSeconds: the agent cases need to know it`);
  return seconds;
}

/** How often the running agent has opened its port so far. */
async function portOpens(sandbox: Sandbox): Promise<number> {
  return Number((await execOkResult(sandbox, `cat ${AGENT_OPENS_FILE}`)).stdout.toString());
}

/** Each idle past the read timeout must have closed and reopened the port once: else the case never crossed a reopen. */
async function expectReopens(sandbox: Sandbox, opensBefore: number, idleTimeouts: number): Promise<void> {
  expect((await portOpens(sandbox)) - opensBefore, `port reopens by the agent during ${idleTimeouts} idle timeout(s)`).toBe(idleTimeouts);
}

/** Stays idle until the agent has surely timed out its read and reopened its port. */
async function idlePastReadTimeout(sandbox: Sandbox, accel: Accelerator): Promise<void> {
  await sleep(readTimeoutSeconds(sandbox) * 1000 + deadlineMs(AGENT_CASES.reopenAllowanceMs, accel));
}

async function expectOutput(sandbox: Sandbox, command: string, stdout: string, options?: ExecOptions): Promise<ExecResult> {
  const result = await sandbox.exec(command, options);
  expectOwnOutput(result, stdout, `\`${command.slice(0, 120)}\``);
  return result;
}

/** Exit 0 with exactly this output: anything else is an error or another request's reply. */
function expectOwnOutput(result: ExecResult, stdout: string, what: string): void {
  expect(describeExecResult(result), `${what} gets its own reply`).toBe(describeExecResult(expectedResult(0, stdout, '')));
}

function expectedResult(exitCode: number, stdout: string, stderr: string) {
  return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), timedOut: false };
}
