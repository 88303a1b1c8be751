/**
 * `runtime check`'s view of one sandbox: requests about it, with the status of the latest answer
 * kept, and exec's output decoded. What every runtime owes, whatever it claims: create returns a
 * running VM, exec's exit code, streams, environment, working directory, timeout and output limit,
 * the console, the disk check, events, and destroy that leaves nothing behind.
 */
import { ADAPTER } from './limits.ts';
import { StepFailure } from './conformance-findings.ts';
import { demand, type CheckSession } from './conformance-session.ts';
import type { ExecResult, SandboxState } from '../../contract/sandbox.ts';
import type { CreateResult, WireStatus } from './protocol.ts';
import { fromBase64, toBase64 } from './wire.ts';

/** Bytes no text encoding survives unchanged: a NUL, an invalid UTF-8 byte and a lone newline. */
const BINARY_PROBE = Buffer.from([0x00, 0xff, 0x0a, 0x80, 0x41]);
/** How long a VM may take to be ready before create times out; a runtime under TCG boots in seconds. */
export const CREATE_DEADLINE_MS = 180_000;
/** The exec timeout step's command outlives its 1 s timeout by far; its answer must come well before. */
const EXEC_TIMEOUT_ANSWER_MS = 30_000;

export class CheckedSandbox {
  status: WireStatus;

  private constructor(
    private readonly session: CheckSession,
    readonly id: string,
    readonly spec: CreateResult['spec'],
    status: WireStatus,
    readonly createMs: number,
  ) {
    this.status = status;
  }

  static async create(session: CheckSession, spec: Record<string, unknown>): Promise<CheckedSandbox> {
    const started = performance.now();
    const created = await session.call<CreateResult>('create', { spec }, CREATE_DEADLINE_MS);
    return new CheckedSandbox(session, created.sandbox, created.spec, created.status, performance.now() - started);
  }

  /** A method, not a field: each call changes it, which a narrowed field would hide from the type checker. */
  state(): SandboxState {
    return this.status.state;
  }

  async call<T extends object>(method: string, params: Record<string, unknown> = {}, deadlineMs?: number): Promise<T> {
    const result = await this.session.call<T & { status?: WireStatus }>(method, { sandbox: this.id, ...params }, deadlineMs);
    if (result.status) this.status = result.status;
    return result;
  }

  async exec(command: string, options: { env?: Record<string, string>; timeoutSeconds?: number; stdin?: Buffer; outputLimitBytes?: number } = {}, deadlineMs?: number): Promise<ExecResult> {
    const { stdin, ...rest } = options;
    const result = await this.call<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean; truncated: boolean; durationMs: number }>(
      'exec',
      { command, ...rest, ...(stdin && { stdin: toBase64(stdin) }) },
      deadlineMs,
    );
    return { ...result, stdout: fromBase64(result.stdout), stderr: fromBase64(result.stderr) };
  }

  /** Runs a guest command that must succeed; its stdout. */
  async run(command: string, timeoutSeconds?: number): Promise<string> {
    const result = await this.exec(command, timeoutSeconds === undefined ? {} : { timeoutSeconds });
    demand(result.exitCode === 0 && !result.timedOut, `\`${command}\` in the guest: exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}, stderr ${JSON.stringify(result.stderr.toString().slice(0, 200))}`);
    return result.stdout.toString();
  }
}

/** The steps every runtime must pass on a running sandbox, whatever it claims. */
export async function everyRuntimeSteps(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('create: a running VM', async () => {
    demand(sandbox.state() === 'running', `create answers once the guest runs commands: state must be running, was ${sandbox.state()}`);
    demand(sandbox.spec.name === 'runtime-check', `the spec in create's answer must be the one asked for, with memoryMiB and vcpus filled in; its name was ${sandbox.spec.name}`);
    return `state running, spec as asked`;
  });

  await session.step('exec: binary stdin to stdout', async () => {
    const result = await sandbox.exec('cat', { stdin: BINARY_PROBE });
    demand(result.exitCode === 0 && result.stdout.equals(BINARY_PROBE), `cat must return the bytes it was given: exit ${result.exitCode}, stdout ${result.stdout.toString('hex')} (sent ${BINARY_PROBE.toString('hex')})`);
    return 'cat returned the bytes it was given';
  });

  await session.step('exec: exit code and streams', async () => {
    const result = await sandbox.exec('echo out; echo err >&2; exit 3');
    demand(result.exitCode === 3, `exitCode must be the command's own (3), was ${result.exitCode}`);
    demand(result.stdout.toString() === 'out\n' && result.stderr.toString() === 'err\n', `stdout and stderr must be kept apart: stdout ${JSON.stringify(result.stdout.toString())}, stderr ${JSON.stringify(result.stderr.toString())}`);
    demand(!result.timedOut && !result.truncated, 'a command that ended within its limits is neither timedOut nor truncated');
    return 'exit 3, stdout and stderr apart';
  });

  await session.step('exec: environment and working directory', async () => {
    const result = await sandbox.exec('printf "%s|" "$GAUNTLET_CHECK"; pwd', { env: { GAUNTLET_CHECK: "it's a b" } });
    demand(result.stdout.toString() === "it's a b|/\n", `env must reach the command unchanged and it runs in / : stdout ${JSON.stringify(result.stdout.toString())}`);
    return 'env reached the command unchanged; it ran in /';
  });

  await session.step('exec: timeout', async () => {
    const started = performance.now();
    const result = await sandbox.exec('sleep 60', { timeoutSeconds: 1 }, EXEC_TIMEOUT_ANSWER_MS);
    const tookMs = performance.now() - started;
    demand(result.timedOut, 'a command past timeoutSeconds must be killed and the result say timedOut');
    demand(result.exitCode !== 0, `a killed command's exitCode must not be 0 (the reference runtime answers 137), was ${result.exitCode}`);
    return `timedOut after ${(tookMs / 1000).toFixed(1)} s, exit ${result.exitCode}`;
  });

  await session.step('exec: output limit', async () => {
    const result = await sandbox.exec('seq 1 5000', { outputLimitBytes: 1000 });
    const text = result.stdout.toString();
    demand(result.truncated, 'output beyond outputLimitBytes must be cut and the result say truncated');
    demand(result.stdout.length <= 1000, `at most outputLimitBytes of a stream are kept: ${result.stdout.length} bytes came back`);
    demand(text.startsWith('1\n2\n3\n'), `a cut keeps the start of the stream: it began ${JSON.stringify(text.slice(0, 20))}`);
    return `the first ${result.stdout.length} bytes kept, truncated`;
  });

  await session.step('console', async () => {
    const { text } = await sandbox.call<{ text: string }>('consoleTail', { lines: 5 });
    const { keptBytes } = await sandbox.call<{ keptBytes: number }>('consoleLog');
    demand(keptBytes > 0 || text.length === 0, `consoleTail returned text but consoleLog says 0 bytes are kept`);
    return `${text.split('\n').length} tail line(s), ${keptBytes} bytes kept`;
  });

  await session.step('disk check', async () => {
    const { checks } = await sandbox.call<{ checks: { file: string; errors: number; leaks: number }[] }>('diskCheck');
    const damaged = checks.filter((check) => check.errors > 0);
    demand(damaged.length === 0, `a fresh VM's disks must check clean: ${damaged.map((check) => `${check.file}: ${check.errors} error(s)`).join(', ')}`);
    demand(sandbox.state() === 'running', `a running VM paused for the check must run again after it; state ${sandbox.state()}`);
    return checks.length === 0 ? 'no image files to check' : `${checks.length} file(s) clean`;
  });

  await session.step('events', async () => {
    const { events } = await sandbox.call<{ events: unknown[] }>('events');
    demand(events.length === sandbox.status.events.length, `events must answer what status.events says: ${events.length} against ${sandbox.status.events.length}`);
    const started = performance.now();
    let waited: unknown;
    try {
      waited = await sandbox.call('waitForEvent', { kind: 'resumed', timeoutMs: 500 }, 10_000);
    } catch (error) {
      // An error answer is what a wait for nothing owes; no answer, or no method, is a failure of its own.
      if (!(error instanceof StepFailure) || error.kind !== 'semantics') throw error;
      return `${events.length} event(s); a wait for none failed after ${Math.round(performance.now() - started)} ms`;
    }
    demand(sandbox.status.events.some((event) => event.kind === 'resumed'), `waitForEvent answered an event this boot never reported: ${JSON.stringify(waited).slice(0, 200)}`);
    return `${events.length} event(s), resumed among them`;
  });
}

/** destroy, then leftovers: empty. */
export async function destroyStep(session: CheckSession, sandbox: CheckedSandbox, step = 'destroy'): Promise<void> {
  await session.step(step, async () => {
    await sandbox.call('destroy', {}, ADAPTER.teardownDeadlineMs);
    demand(sandbox.state() === 'destroyed', `destroy's answer must say state destroyed, was ${sandbox.state()}`);
    const { leftovers } = await sandbox.call<{ leftovers: string[] }>('leftovers', {}, ADAPTER.teardownDeadlineMs);
    demand(leftovers.length === 0, `left behind: ${leftovers.join(', ')}`);
    return 'nothing left behind';
  });
}
