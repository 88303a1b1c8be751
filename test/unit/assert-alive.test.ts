import { describe, expect, it } from 'vitest';
import { expectAlive } from '../../harness/assert/alive.ts';
import type { ExecOptions, ExecResult } from '../../harness/contract/sandbox.ts';

function reply(exitCode: number, stdout: string, stderr = ''): ExecResult {
  return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), timedOut: false, truncated: false, durationMs: 1 };
}

/** A sandbox whose exec gives the scripted answers in turn, then repeats the last one. */
function scriptedSandbox(answers: Array<() => Promise<ExecResult>>) {
  const calls: Array<{ command: string; options: ExecOptions | undefined }> = [];
  return {
    calls,
    exec(command: string, options?: ExecOptions): Promise<ExecResult> {
      calls.push({ command, options });
      return answers[Math.min(calls.length - 1, answers.length - 1)]!();
    },
  };
}

describe('expectAlive', () => {
  it('passes once the guest answers `echo alive`, after earlier failures', async () => {
    const sandbox = scriptedSandbox([
      async () => {
        throw new Error('connection refused');
      },
      async () => reply(1, '', 'agent busy'),
      async () => reply(0, 'alive\n'),
    ]);
    await expectAlive(sandbox, { windowMs: 2_000 });
    expect(sandbox.calls).toHaveLength(3);
    expect(sandbox.calls[0]!.command).toBe('echo alive');
    expect(sandbox.calls[0]!.options?.timeoutSeconds).toBeLessThanOrEqual(5);
  });

  it('fails with what it saw when the reply is never right', async () => {
    const sandbox = scriptedSandbox([async () => reply(0, 'alive')]);
    await expect(expectAlive(sandbox, { windowMs: 100 })).rejects.toThrow(/guest alive.*not reached within 0\.1s.*stdout "alive",/);
  });

  it('does not count a failing exit as alive even with the right output', async () => {
    const sandbox = scriptedSandbox([async () => reply(137, 'alive\n')]);
    await expect(expectAlive(sandbox, { windowMs: 100 })).rejects.toThrow(/exit 137/);
  });

  it('fails within its window when exec hangs', async () => {
    const sandbox = scriptedSandbox([() => new Promise<ExecResult>(() => {})]);
    const started = performance.now();
    await expect(expectAlive(sandbox, { windowMs: 150 })).rejects.toThrow(/still running at the deadline/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
