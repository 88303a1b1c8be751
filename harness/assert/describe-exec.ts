/** How an exec result reads in a failure message: the exit, the flags, and the end of each stream. */
import { FAILURE_MESSAGE } from '../config/constants.ts';
import type { ExecResult } from '../contract/sandbox.ts';

export function describeExecResult(result: Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr' | 'timedOut'>): string {
  const parts = [`exit ${result.exitCode}`];
  if (result.timedOut) parts.push('timed out');
  parts.push(`stdout ${quotedTail(result.stdout)}`, `stderr ${quotedTail(result.stderr)}`);
  return parts.join(', ');
}

/** The end of a stream: where dd, rm and shells print the error that explains the exit. */
function quotedTail(stream: Buffer): string {
  const text = stream.toString('utf8');
  const limit = FAILURE_MESSAGE.previewChars;
  return JSON.stringify(text.length > limit ? `…${text.slice(-limit)}` : text);
}
