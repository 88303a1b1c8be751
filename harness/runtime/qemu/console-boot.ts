/**
 * Boots our kernel with nothing but a console on stdout and waits for a line. Used where a full VM
 * would be too much: the accelerator probe and the raw-QEMU baseline of the boot benchmark.
 */
import { execa } from 'execa';
import { kernelBootArgs, type KernelBootInput } from './command-line.ts';

export interface ConsoleBootResult {
  /** Milliseconds from spawn to the line, or undefined when it never came. */
  lineAfterMs: number | undefined;
  /** Why it did not come: QEMU's own complaint, an exit, or the deadline. */
  failure: string | undefined;
}

export async function bootUntilConsoleLine(
  qemuBinary: string,
  input: KernelBootInput,
  line: string,
  deadlineMs: number,
): Promise<ConsoleBootResult> {
  const startedAt = Date.now();
  const child = execa(qemuBinary, [...kernelBootArgs(input), '-serial', 'stdio'], {
    stdin: 'ignore',
    reject: false,
    cleanup: true,
    timeout: deadlineMs,
    forceKillAfterDelay: 1000,
  });
  let console = '';
  let stderr = '';
  const seen = new Promise<number>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      console += chunk.toString('latin1');
      if (console.includes(line)) resolve(Date.now() - startedAt);
    });
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const outcome = await Promise.race([seen, child.then(() => undefined)]);
  child.kill('SIGKILL');
  const ended = await child;
  if (outcome !== undefined) return { lineAfterMs: outcome, failure: undefined };
  const complaint = firstMeaningfulLine(stderr) ?? firstMeaningfulLine(console.split('\n').slice(-5).join('\n'));
  const failure = ended.timedOut
    ? `no "${line}" within ${deadlineMs} ms${complaint ? ` (${complaint})` : ''}`
    : `QEMU exited (${ended.exitCode ?? ended.signal})${complaint ? `: ${complaint}` : ''}`;
  return { lineAfterMs: undefined, failure };
}

function firstMeaningfulLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
}
