/**
 * A guest command that must succeed, the one way a case or a workload says so: exit 0 and not timed
 * out, else an error naming what it was for, the command and what it saw. A `timeoutMs` is a KVM
 * base, stretched with the sandbox's accelerator like every deadline.
 */
import { deadlineMs } from '../config/constants.ts';
import type { ExecOptions, ExecResult, Sandbox } from '../contract/sandbox.ts';
import { describeExecResult } from './describe-exec.ts';

export interface ExecOkOptions extends ExecOptions {
  /** What the command is for, to start the message with; default: the sandbox's name. */
  what?: string;
  /** Guest-side kill timeout as a KVM base (scaled); `timeoutSeconds` is taken as it is. */
  timeoutMs?: number;
}

type Execs = Pick<Sandbox, 'exec'> & Partial<Pick<Sandbox, 'name' | 'accelerator'>>;

/** The whole result of a command that succeeded (for binary output or the truncated flag). */
export async function execOkResult(sandbox: Execs, command: string, options: ExecOkOptions = {}): Promise<ExecResult> {
  const { what = sandbox.name ?? 'the guest', timeoutMs, ...execOptions } = options;
  if (timeoutMs !== undefined) {
    if (!sandbox.accelerator) throw new Error(`${what}: a timeoutMs scales with the sandbox's accelerator, which this one does not say`);
    execOptions.timeoutSeconds = Math.ceil(deadlineMs(timeoutMs, sandbox.accelerator) / 1000);
  }
  const result = await sandbox.exec(command, execOptions);
  if (result.exitCode !== 0 || result.timedOut) throw new Error(`${what}: \`${command.slice(0, 200)}\` failed: ${describeExecResult(result)}`);
  return result;
}

/** The stdout of a command that succeeded. */
export async function execOk(sandbox: Execs, command: string, options?: ExecOkOptions): Promise<string> {
  return (await execOkResult(sandbox, command, options)).stdout.toString();
}
