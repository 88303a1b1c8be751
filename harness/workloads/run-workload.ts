/** Running the guest workloads of fixtures/workloads/, installed in the image under /usr/libexec/gauntlet. */
import { execOk } from '../assert/exec-ok.ts';
import { ROOTFS_PATHS } from '../config/guest-paths.ts';
import type { Sandbox } from '../contract/sandbox.ts';

/** Workload arguments are names and numbers; anything else would need quoting for the guest's sh. */
const PLAIN_WORD = /^[\w./:-]+$/;

export function workloadPath(workload: string): string {
  return `/${ROOTFS_PATHS.workloads}/${workload}`;
}

export function workloadCommand(workload: string, ...args: Array<string | number>): string {
  const words = [workloadPath(workload), ...args.map(String)];
  const unsafe = words.find((word) => !PLAIN_WORD.test(word));
  if (unsafe !== undefined) throw new Error(`workload argument ${JSON.stringify(unsafe)} is not a plain word`);
  return words.join(' ');
}

/** Runs a workload to its end and returns its stdout; a non-zero exit or a timeout throws. */
export async function runWorkload(
  sandbox: Pick<Sandbox, 'exec'>,
  timeoutSeconds: number,
  workload: string,
  ...args: Array<string | number>
): Promise<string> {
  return execOk(sandbox, workloadCommand(workload, ...args), { timeoutSeconds, what: `workload ${workload}` });
}
