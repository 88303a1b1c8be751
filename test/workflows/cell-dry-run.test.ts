/**
 * The CI cell, run here before GitHub runs it: the x86_64/tcg cell of cells.yml (image job, then the
 * cell job with its composite action), every step in order as the runner would run it
 * (runner-stand-in.ts), each job on a fresh clone with the PATH of a fresh container in which QEMU
 * is not installed until a step installs it (container-path.ts). A step that needs QEMU placed
 * before the step that installs it fails here, as it would fail the first night.
 *
 * Filled in as GitHub would: the matrix values of the cell, the inputs nightly.yml passes when it is
 * started by hand with one suite (lifecycle, so the dry run stays within 3 minutes), no repository
 * variables. Stood in for (each says how, STAND_INS): checkout, setup-node, the cache (a miss),
 * artifact upload and download (a shared directory). The image job's build finds this machine's
 * image cache (a fresh container builds it in about a minute; ci.yml's cell-dry-run job does); the
 * cell job gets an empty home, so its image comes only through the artifact, as on GitHub. The two
 * tests together fit CI's 3 minutes for them; the time is printed, not asserted: a shared host's
 * load would make a timed assertion cry wolf.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../harness/image/recipe.ts';
import { readRunJson } from '../../harness/reports/run-json.ts';
import { allCases } from '../../harness/reports/run-record.ts';
import { makeContainerPath, type ContainerPath } from './container-path.ts';
import { fill } from './expressions.ts';
import { RunnerStandIn, type JobWorld, type Step, type StepRecord } from './runner-stand-in.ts';

const CELL = { arch: 'x86_64', accel: 'tcg', shard: 1 };
/** nightly.yml started by hand for one suite. */
const NIGHTLY_DISPATCH = { suites: 'lifecycle' };

interface Workflow {
  on: { workflow_call?: { inputs: Record<string, { default?: unknown }> } };
  jobs: Record<string, { steps: Step[]; strategy?: { matrix?: Record<string, unknown[]> }; with?: Record<string, unknown> }>;
}

/** The committed file, as the runner reads it (the clone is of HEAD too). */
function committed(file: string): Workflow {
  return parse(execFileSync('git', ['-C', REPO_ROOT, 'show', `HEAD:${file}`], { encoding: 'utf8' })) as Workflow;
}

const root = mkdtempSync(path.join(tmpdir(), 'cell-dry-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

/** cells.yml's inputs as nightly.yml passes them, over cells.yml's defaults. */
function cellsInputs(): Record<string, unknown> {
  const cells = committed('.github/workflows/cells.yml');
  const nightly = committed('.github/workflows/nightly.yml');
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(cells.on.workflow_call!.inputs)) inputs[name] = spec.default ?? '';
  for (const [name, value] of Object.entries(nightly.jobs.gauntlet!.with ?? {})) inputs[name] = fill(String(value), { inputs: NIGHTLY_DISPATCH, vars: {} }, { failed: false });
  return inputs;
}

/** A fresh machine for one job: workspace, temp, the container's PATH, and a home of its own unless the machine's is wanted. */
function freshJob(job: string, matrix: Record<string, unknown>, home?: string): { world: JobWorld; containerPath: ContainerPath } {
  const dir = path.join(root, job.replace(/\W+/g, '-'));
  const workspace = path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  for (const made of [workspace, temp, path.join(dir, 'home')]) mkdirSync(made, { recursive: true });
  const containerPath = makeContainerPath(path.join(dir, 'bin'));
  const env: Record<string, string> = {
    PATH: containerPath.dir,
    HOME: home ?? path.join(dir, 'home'),
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    // npm answers from this machine's package cache first, as setup-node's npm cache would.
    npm_config_cache: path.join(homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    ...(home && process.env.GAUNTLET_CACHE_DIR ? { GAUNTLET_CACHE_DIR: process.env.GAUNTLET_CACHE_DIR } : {}),
  };
  return { world: { job, workspace, temp, env, matrix, inputs: cellsInputs(), vars: {} }, containerPath };
}

function transcript(records: StepRecord[]): string {
  return records.map((r) => `${r.outcome.padEnd(7)} ${r.seconds.toFixed(1).padStart(5)} s  ${r.job} › ${r.step}${r.how === 'run' ? '' : `  [${r.how}]`}`).join('\n');
}

function failures(records: StepRecord[]): string {
  return records
    .filter((r) => r.outcome === 'failure')
    .map((r) => `${r.job} › ${r.step}:\n${r.output.slice(-2_000)}`)
    .join('\n\n');
}

const canRun = process.platform === 'linux' && existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg');
const artifacts = path.join(root, 'artifacts');
/** The first test's cell job, whose clone (installed, image imported) the second reuses under a fresh PATH. */
let cellWorld: JobWorld | undefined;

describe.runIf(canRun)('the x86_64/tcg cell of cells.yml, run here step by step', () => {
  test('passes on fresh clones with QEMU not installed until its setup-host step', { timeout: 600_000 }, async () => {
    const cells = committed('.github/workflows/cells.yml');
    const matrix = cells.jobs.cells!.strategy!.matrix!;
    for (const [key, value] of Object.entries(CELL)) expect(matrix[key], `the cell's ${key} is in the matrix`).toContain(value);
    expect(cells.jobs.image!.strategy!.matrix!.arch).toContain(CELL.arch);

    const started = performance.now();
    const runner = new RunnerStandIn(REPO_ROOT, artifacts);
    const image = freshJob(`image (${CELL.arch})`, { arch: CELL.arch }, homedir());
    const imageOk = await runner.runJob(cells.jobs.image!.steps, image.world);
    const cell = freshJob(`${CELL.arch}/${CELL.accel} shard ${CELL.shard}`, CELL);
    const qemu = `qemu-system-${CELL.arch}`;
    const hiddenAtStart = !existsSync(path.join(cell.containerPath.dir, qemu));
    cellWorld = cell.world;
    const cellOk = imageOk && (await runner.runJob(cells.jobs.cells!.steps, cell.world));
    const seconds = (performance.now() - started) / 1000;
    console.log(`${transcript(runner.records)}\n${seconds.toFixed(0)} s in all; QEMU hidden from the steps until installed: ${cell.containerPath.hidden.join(', ') || 'none installed on this machine'}`);

    expect(imageOk && cellOk, failures(runner.records)).toBe(true);
    expect(runner.records.filter((r) => r.outcome !== 'success').map((r) => `${r.job} › ${r.step}: ${r.outcome}`), 'no step skipped').toEqual([]);
    expect(hiddenAtStart, `${qemu} is not on the cell's PATH before its steps run`).toBe(true);
    expect(existsSync(path.join(cell.containerPath.dir, qemu)), `a step of the cell installed ${qemu}`).toBe(true);
    const record = readRunJson(path.join(artifacts, `run-${CELL.arch}-${CELL.accel}-${CELL.shard}`, 'run.json'));
    expect(record.parts[0]!.environment.accelerator).toBe(CELL.accel);
    expect(allCases(record).length).toBeGreaterThan(0);
    expect(allCases(record).filter((entry) => entry.outcome !== 'passed' && entry.outcome !== 'skipped')).toEqual([]);
  });

  test('fails when a step that needs QEMU (doctor) comes before the step that installs it', { timeout: 180_000 }, async () => {
    const cells = committed('.github/workflows/cells.yml');
    const runner = new RunnerStandIn(REPO_ROOT, artifacts, {
      rewriteAction: (uses, steps) => {
        if (uses !== './.github/actions/cell') return steps;
        const doctor = steps.find((step) => step.name === 'Doctor')!;
        const rest = steps.filter((step) => step !== doctor);
        const install = rest.findIndex((step) => step.run?.includes('scripts/setup-host'));
        expect(install, 'the cell action has a setup-host step').toBeGreaterThanOrEqual(0);
        return [...rest.slice(0, install), doctor, ...rest.slice(install)];
      },
    });
    expect(cellWorld && existsSync(path.join(artifacts, `image-${CELL.arch}`)), 'the first test ran the image job and the cell').toBe(true);
    // The first test's clone again (its npm install and image import take half a minute that proves
    // nothing here), under the PATH of a fresh container: QEMU is hidden again.
    const containerPath = makeContainerPath(path.join(root, 'doctor-first-bin'));
    const world: JobWorld = { ...cellWorld!, job: `${cellWorld!.job} (doctor first)`, env: { ...cellWorld!.env, PATH: containerPath.dir } };
    const ok = await runner.runJob(cells.jobs.cells!.steps, world);
    console.log(transcript(runner.records));

    expect(ok).toBe(false);
    const doctor = runner.records.find((r) => r.step.endsWith('Doctor'))!;
    expect(doctor.outcome, doctor.output).toBe('failure');
    expect(doctor.output).toMatch(/qemu/i);
    expect(runner.records.find((r) => r.step.endsWith('Run the suites'))?.outcome).toBe('skipped');
    expect(runner.records.find((r) => r.step.endsWith('Prove the cases turn red'))?.outcome, 'no proofs on a cell that could not be set up').toBe('skipped');
  });
});
