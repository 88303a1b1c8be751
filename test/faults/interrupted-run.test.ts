/**
 * What a run killed outright leaves, end to end: `kill -9` of the CLI while its VMs run (no exit or
 * signal handler gets to sweep), then two runs at once in the same cache directory. Both must pass,
 * neither touches the other's run dir, and once they end nothing of any of the three runs is left: no
 * run dir, no VMM, no test worker.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../harness/image/recipe.ts';
import { pollUntil } from '../../harness/wait/poll.ts';
import { accelArgs, childEnv } from './qemu-wrappers.ts';

const RUN_DIR_PARENT = '/tmp';

function startGauntlet(args: string[]): ResultPromise<{ all: true; reject: false }> {
  return execa(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'bin/gauntlet.ts'), ...args], {
    cwd: REPO_ROOT,
    env: childEnv(),
    extendEnv: false,
    reject: false,
    all: true,
  });
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name in field 2 may hold spaces; the fields after its closing parenthesis do not.
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The run dir whose owner (the CLI's node process, a child of the tsx launcher) descends from `launcherPid`. */
function runDirOf(launcherPid: number): string | undefined {
  for (const name of readdirSync(RUN_DIR_PARENT).filter((entry) => entry.startsWith('gauntlet-run-'))) {
    const dir = path.join(RUN_DIR_PARENT, name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8').trim());
    } catch {
      continue;
    }
    if (owner === launcherPid || parentOf(owner) === launcherPid) return dir;
  }
  return undefined;
}

/** Processes whose command line or environment names `dir`: its VMMs (command line) and test workers (environment). */
function processesNaming(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dir) || environ.includes(dir)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, 120)}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

async function reportsDir(name: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `e2e-interrupted-${name}-`));
}

describe.runIf(process.platform === 'linux')('a run killed with SIGKILL', () => {
  test('leaves nothing once the next runs end, and two runs at once in one cache dir both pass', { timeout: 900_000 }, async () => {
    const killed = startGauntlet(['run', 'lifecycle', '--reports', await reportsDir('killed'), ...accelArgs()]);
    const killedDir = await pollUntil(async () => runDirOf(killed.pid!), (dir) => dir !== undefined && processesNaming(dir).some((line) => line.includes('qemu-system')), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: 'a VMM of the run to be killed',
    });
    const owner = Number(readFileSync(path.join(killedDir!, 'owner.pid'), 'utf8').trim());
    process.kill(owner, 'SIGKILL');
    await killed;
    expect(existsSync(killedDir!), 'a CLI killed outright cannot sweep its own run dir').toBe(true);

    const [first, second] = [startGauntlet(['run', 'lifecycle', '--reports', await reportsDir('first'), ...accelArgs()]), startGauntlet(['run', 'lifecycle', '--reports', await reportsDir('second'), ...accelArgs()])];
    const liveDirs = await pollUntil(async () => [runDirOf(first.pid!), runDirOf(second.pid!)], (dirs) => dirs.every((dir) => dir !== undefined), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: 'the run dirs of both concurrent runs',
    });
    const results = await Promise.all([first, second]);
    for (const result of results) {
      expect(result.exitCode, result.all.slice(-3_000)).toBe(0);
      expect(result.all).toMatch(/^tests: [1-9]\d* passed, 0 failed, \d+ skipped$/m);
    }
    // Which run reaps the dead one's dir is a race (any run preparing meanwhile may, e.g. another
    // test's); what counts is that it is gone, with its VMMs and workers, once the next runs end.
    for (const dir of [killedDir!, ...(liveDirs as string[])]) {
      expect(existsSync(dir), `${dir} is left`).toBe(false);
      expect(processesNaming(dir), `processes of ${dir} are left`).toEqual([]);
    }
  });
});
