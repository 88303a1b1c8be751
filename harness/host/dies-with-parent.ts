/**
 * A VMM must not outlive the test worker that started it, even when the worker itself is killed with
 * SIGKILL (a vitest timeout, the OOM killer), which leaves no handler a chance to run.
 *
 * Linux: `setpriv --pdeathsig KILL` (util-linux, on every Debian/Ubuntu) sets PR_SET_PDEATHSIG in the
 * child and then execs the VMM in place, so the pid, the pid file and the command line stay the VMM's
 * own, and the kernel kills it the moment its parent dies.
 * macOS has no parent-death signal. There a VMM orphaned by a killed worker lives until its run ends:
 * the run's sweep kills every VMM found through the pid files in its run dir, and if the whole run was
 * killed, the next run reaps its dir the same way (harness/run/run-dir.ts).
 */
import { existsSync } from 'node:fs';
import type { HostPlatform } from './platform.ts';

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

export interface Command {
  file: string;
  args: string[];
}

export function diesWithParent(
  command: Command,
  host: Pick<HostPlatform, 'platform'>,
  exists: (file: string) => boolean = existsSync,
): Command {
  if (host.platform !== 'linux') return command;
  const setpriv = SETPRIV_PATHS.find(exists);
  if (!setpriv) return command;
  return { file: setpriv, args: ['--pdeathsig', 'KILL', '--', command.file, ...command.args] };
}
