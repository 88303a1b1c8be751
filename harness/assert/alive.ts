/** "VM alive": the guest agent answers a trivial exec correctly within the liveness window. */
import { ALIVE, ALIVE_PROBE } from './limits.ts';
import type { ExecResult, Sandbox } from '../contract/sandbox.ts';
import { describeExecResult } from './describe-exec.ts';
import { pollUntil } from '../wait/poll.ts';

const ALIVE_REPLY = 'alive\n';

export async function expectAlive(sandbox: Pick<Sandbox, 'exec'>, opts: { windowMs?: number } = {}): Promise<void> {
  await pollUntil(
    async () => {
      const result = await sandbox.exec('echo alive', { timeoutSeconds: ALIVE_PROBE.execTimeoutSeconds });
      // A summary string keeps the failure message readable; raw Buffers print as hex.
      return { answered: isAliveReply(result), seen: describeExecResult(result) };
    },
    (probe) => probe.answered,
    {
      timeoutMs: opts.windowMs ?? ALIVE.windowMs,
      intervalMs: ALIVE.pollIntervalMs,
      attemptTimeoutMs: ALIVE_PROBE.attemptTimeoutMs,
      what: 'guest alive (`echo alive` exits 0 with "alive\\n")',
    },
  );
}

function isAliveReply(result: ExecResult): boolean {
  return result.exitCode === 0 && !result.timedOut && result.stdout.toString('utf8') === ALIVE_REPLY;
}
