/** A write that ran out of space: it must fail, and say why, rather than hang or succeed silently. */
import type { ExecResult } from '../contract/sandbox.ts';
import { describeExecResult } from './describe-exec.ts';

export const ENOSPC_TEXT = 'No space left on device';

type WriteOutcome = Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr' | 'timedOut'>;

/** A timed-out command did not end with ENOSPC even if it printed it: it hung afterwards. */
export function isEnospc(result: WriteOutcome): boolean {
  if (result.exitCode === 0 || result.timedOut) return false;
  return result.stderr.includes(ENOSPC_TEXT) || result.stdout.includes(ENOSPC_TEXT);
}

export function expectEnospc(result: WriteOutcome, what = 'command'): void {
  if (isEnospc(result)) return;
  throw new Error(
    `${what}: expected to end with ENOSPC (non-zero exit, "${ENOSPC_TEXT}" in its output, not timed out); ` +
      `saw ${describeExecResult(result)}`,
  );
}
