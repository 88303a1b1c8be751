/**
 * What a stopped run leaves, end to end. SIGTERM (a CI timeout) while a VM runs: the CLI writes the
 * reports of the cases that ended and the live VMs' logs, then sweeps, so nothing of the run is left
 * but its reports. `kill -9` of the CLI while its VMs run (no exit or signal handler gets to sweep),
 * then two runs at once in the same cache directory: both must pass, neither touches the other's run
 * dir, and once they end nothing of any of the three runs is left: no run dir, no VMM, no test worker.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../harness/image/recipe.ts';
import { pollUntil } from '../../harness/wait/poll.ts';
import { accelArgs, childEnv } from '../fixtures/qemu-wrappers.ts';
import { ARTIFACTS_DIR, INTERRUPTED_LOGS_DIR, REPORT_FILES } from '../../harness/reports/layout.ts';
import { readRunJson } from '../../harness/reports/run-json.ts';
import { allCases } from '../../harness/reports/run-record.ts';
import { findPidFiles } from '../../harness/run/run-dir.ts';
import { scratchDir } from '../fixtures/scratch-dir.ts';

const RUN_DIR_PARENT = '/tmp';

/** `env` adds to or (with undefined) removes from the test's own environment. */
function startGauntlet(args: string[], env: NodeJS.ProcessEnv = {}): ResultPromise<{ all: true; reject: false }> {
  return execa(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'bin/gauntlet.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...childEnv(), ...env },
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

/** A VM of the run whose VMM is alive and whose console log has begun (lifecycle's VMs come and go fast). */
function liveVmWithConsole(runDir: string): boolean {
  try {
    return findPidFiles(runDir).some((pidFile) => {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      return existsSync(path.join(path.dirname(pidFile), 'console.log')) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir);
    });
  } catch {
    // A VM dir removed while we looked: that VM is gone.
    return false;
  }
}

async function reportsDir(name: string): Promise<string> {
  return scratchDir(`e2e-interrupted-${name}`);
}

describe.runIf(process.platform === 'linux')('a run stopped with SIGTERM', () => {
  test('writes the reports of the cases that ended and the live VMs\' logs, then leaves no run dir and no process', { timeout: 600_000 }, async () => {
    const reports = await reportsDir('sigterm');
    // As the CI cell starts it (node itself, tsx as a loader) and stops it (`timeout --foreground`:
    // SIGTERM to the CLI alone). CI=1: one line per finished case, so the signal can wait for a case
    // that ended and a VM still running.
    const run = execa(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bin/gauntlet.ts'), 'run', 'lifecycle', '--reports', reports, ...accelArgs()], {
      cwd: REPO_ROOT,
      env: { ...childEnv(), CI: '1' },
      extendEnv: false,
      reject: false,
      all: true,
    });
    let output = '';
    run.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const runDir = await pollUntil(async () => runDirOf(run.pid!), (dir) => dir !== undefined && /^gauntlet: passed /m.test(output) && liveVmWithConsole(dir), {
      timeoutMs: 300_000,
      intervalMs: 100,
      what: 'a finished case and a VMM still running',
    });
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;

    expect(result.exitCode, result.all.slice(-3_000)).toBe(143);
    const record = readRunJson(path.join(reports, REPORT_FILES.record));
    // Exactly the cases the log saw end (one CI line each), with the outcome it saw.
    const endedInLog = [...result.all.matchAll(/^gauntlet: (passed|failed|skipped) (.+) \([\d.]+ s\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    const ended = allCases(record).map((entry) => `${entry.outcome} ${entry.group} > ${entry.id}`);
    expect(ended.length, 'the cases that ended before the signal').toBeGreaterThan(0);
    expect(ended.sort()).toEqual(endedInLog.sort());
    for (const file of Object.values(REPORT_FILES)) expect(existsSync(path.join(reports, file)), file).toBe(true);
    const logsDir = path.join(reports, ARTIFACTS_DIR, INTERRUPTED_LOGS_DIR);
    const logs = readdirSync(logsDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.log'));
    expect(logs.length, 'the console log of the VM that was running').toBeGreaterThan(0);
    expect(logs.some((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8').length > 0), 'a console log with the guest\'s output').toBe(true);
    // The run's last lines name what it wrote, in a log that is not a terminal.
    expect(result.all.trimEnd().split('\n').slice(-4)).toEqual([
      `report page: ${path.join(reports, REPORT_FILES.html)}`,
      `junit: ${path.join(reports, REPORT_FILES.junit)}`,
      `run record: ${path.join(reports, REPORT_FILES.record)}`,
      expect.stringMatching(new RegExp(`^artifacts: ${path.join(reports, ARTIFACTS_DIR)}/ \\(\\d+ files\\)$`)),
    ]);
    expect(existsSync(runDir!), 'the run dir is swept').toBe(false);
    expect(processesNaming(runDir!), 'no VMM or worker of the run is left').toEqual([]);
  });
});

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

    // Without CI and not on a terminal, as a newcomer's `npm start > log` runs: the run still ends naming its reports.
    // Each takes its share of the cores, as the README has two runs on one host do: two runs planned
    // for every core, beside this test's own neighbours, starved lifecycle's VMM watcher (a look
    // every 100 ms came 336 ms apart) and failed a case for the host this test overloaded.
    const [firstReports, secondReports] = [await reportsDir('first'), await reportsDir('second')];
    const share = ['--cores', '1', ...accelArgs()];
    const [first, second] = [startGauntlet(['run', 'lifecycle', '--reports', firstReports, ...share], { CI: undefined }), startGauntlet(['run', 'lifecycle', '--reports', secondReports, ...share], { CI: undefined })];
    const liveDirs = await pollUntil(async () => [runDirOf(first.pid!), runDirOf(second.pid!)], (dirs) => dirs.every((dir) => dir !== undefined), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: 'the run dirs of both concurrent runs',
    });
    const results = await Promise.all([first, second]);
    for (const [result, reports] of [[results[0], firstReports], [results[1], secondReports]] as const) {
      expect(result.exitCode, result.all.slice(-3_000)).toBe(0);
      expect(result.all).toMatch(/^tests: [1-9]\d* passed, 0 failed, \d+ skipped$/m);
      expect(result.stdout.trimEnd().split('\n').slice(-4)).toEqual([
        `report page: ${path.join(reports, REPORT_FILES.html)}`,
        `junit: ${path.join(reports, REPORT_FILES.junit)}`,
        `run record: ${path.join(reports, REPORT_FILES.record)}`,
        'artifacts: none (no case left VM files)',
      ]);
    }
    // Which run reaps the dead one's dir is a race (any run preparing meanwhile may, e.g. another
    // test's); what counts is that it is gone, with its VMMs and workers, once the next runs end.
    for (const dir of [killedDir!, ...(liveDirs as string[])]) {
      expect(existsSync(dir), `${dir} is left`).toBe(false);
      expect(processesNaming(dir), `processes of ${dir} are left`).toEqual([]);
    }
  });
});
