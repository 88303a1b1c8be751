/**
 * Runs a workflow job's steps on this machine in order, as a GitHub runner would: each `run:` block
 * through `bash --noprofile --norc -eo pipefail` with its `${{ }}` placeholders, `env:` and
 * `working-directory` filled in from the matrix, inputs, steps' outputs and the runner's variables,
 * `if:` conditions evaluated, local composite actions expanded into their steps, and a failed step
 * skipping the rest but those that run `always()`. The steps that only GitHub can run have stand-ins,
 * each saying what it stands in for (STAND_INS).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { parse } from 'yaml';
import { condition, fill, type Contexts, type Status } from './expressions.ts';

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}

export interface StepRecord {
  job: string;
  step: string;
  /** `run` for a run block executed as written; otherwise what stood in for the step. */
  how: string;
  outcome: 'success' | 'failure' | 'skipped';
  seconds: number;
  output: string;
}

/** One job's machine: a fresh workspace, the container's PATH and environment, the values its expressions read. */
export interface JobWorld {
  job: string;
  workspace: string;
  temp: string;
  env: Record<string, string>;
  matrix: Record<string, unknown>;
  inputs: Record<string, unknown>;
  vars: Record<string, string>;
}

interface Scope {
  world: JobWorld;
  inputs: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
  status: Status;
  actionPath: string;
}

const STEP_TIMEOUT_MS = 240_000;

/** What stands in for each action only GitHub runs, and how it is described in the test's log. */
export const STAND_INS = {
  'actions/checkout': 'the commit under test (git archive HEAD) unpacked into the job\'s empty workspace: a fresh clone',
  'actions/setup-node': "this machine's Node.js on the container PATH",
  'actions/cache': 'a cache miss, as on a first night: the build step behind it runs',
  'actions/upload-artifact': 'a copy into the dry run\'s artifact store, refusing an existing name unless overwrite is true (the 409 of a re-run)',
  'actions/download-artifact': 'a copy out of the dry run\'s artifact store into the workspace',
} as const;

export class RunnerStandIn {
  readonly records: StepRecord[] = [];

  /**
   * @param repo the repository under test
   * @param artifacts the run's artifact store, shared by its jobs
   * @param rewriteAction changes a local action's steps before they run (a test that moves one)
   */
  constructor(
    private readonly repo: string,
    private readonly artifacts: string,
    private readonly options: { rewriteAction?: (uses: string, steps: Step[]) => Step[] } = {},
  ) {}

  /** Runs the job's steps; true when every step that ran succeeded. */
  async runJob(steps: Step[], world: JobWorld): Promise<boolean> {
    const scope: Scope = { world, inputs: world.inputs, steps: {}, status: { failed: false }, actionPath: world.workspace };
    await this.runSteps(steps, scope, '');
    return !scope.status.failed;
  }

  private async runSteps(steps: Step[], scope: Scope, prefix: string): Promise<void> {
    for (const [index, step] of steps.entries()) {
      const label = `${prefix}${step.name ?? step.uses ?? `step ${index + 1}`}`;
      const contexts = this.contexts(scope);
      if (!condition(step.if, contexts, scope.status)) {
        this.record(scope, label, 'skipped by its if', 'skipped', 0, '');
        if (step.id) scope.steps[step.id] = { outputs: {}, outcome: 'skipped' };
        continue;
      }
      const started = performance.now();
      const { how, ok, output, outputs } = step.uses?.startsWith('./')
        ? await this.runLocalAction(step, scope, label)
        : step.uses
          ? this.standIn(step, scope)
          : await this.runBlock(step, scope);
      if (step.uses?.startsWith('./')) continue;
      if (step.id) scope.steps[step.id] = { outputs, outcome: ok ? 'success' : 'failure' };
      if (!ok) scope.status.failed = true;
      this.record(scope, label, how, ok ? 'success' : 'failure', (performance.now() - started) / 1000, output);
    }
  }

  private record(scope: Scope, step: string, how: string, outcome: StepRecord['outcome'], seconds: number, output: string): void {
    this.records.push({ job: scope.world.job, step, how, outcome, seconds, output });
  }

  private contexts(scope: Scope): Contexts {
    const { world } = scope;
    return {
      matrix: world.matrix,
      inputs: scope.inputs,
      steps: scope.steps,
      vars: world.vars,
      runner: { os: 'Linux', temp: world.temp },
      github: { workspace: world.workspace, action_path: scope.actionPath, token: '' },
    };
  }

  private filled(value: unknown, scope: Scope): string {
    return fill(String(value ?? ''), this.contexts(scope), scope.status);
  }

  private async runBlock(step: Step, scope: Scope): Promise<{ how: string; ok: boolean; output: string; outputs: Record<string, string> }> {
    if ((step.shell ?? 'bash') !== 'bash') throw new Error(`the dry run runs bash steps only, not ${step.shell}`);
    const { world } = scope;
    const script = path.join(mkdtempSync(path.join(world.temp, 'step-')), 'script.sh');
    writeFileSync(script, this.filled(step.run, scope));
    const outputFile = path.join(path.dirname(script), 'output');
    writeFileSync(outputFile, '');
    const env: Record<string, string> = { ...world.env, GITHUB_OUTPUT: outputFile, GITHUB_ACTION_PATH: scope.actionPath };
    for (const [name, value] of Object.entries(step.env ?? {})) env[name] = this.filled(value, scope);
    const cwd = step['working-directory'] ? path.resolve(world.workspace, this.filled(step['working-directory'], scope)) : world.workspace;
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, extendEnv: false, reject: false, all: true, timeout: STEP_TIMEOUT_MS });
    return { how: 'run', ok: result.exitCode === 0, output: result.all ?? '', outputs: readOutputs(outputFile) };
  }

  private async runLocalAction(step: Step, scope: Scope, label: string): Promise<{ how: string; ok: boolean; output: string; outputs: Record<string, string> }> {
    const dir = path.join(scope.world.workspace, step.uses!);
    const action = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: unknown }>; runs: { using: string; steps: Step[] } };
    if (action.runs.using !== 'composite') throw new Error(`${step.uses} is not a composite action`);
    const inputs: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) inputs[name] = spec?.default ?? '';
    for (const [name, value] of Object.entries(step.with ?? {})) inputs[name] = this.filled(value, scope);
    // The action's steps see its inputs and their own steps; a failure among them fails the caller's job.
    const inner: Scope = { ...scope, inputs, steps: {}, actionPath: dir };
    const steps = this.options.rewriteAction?.(step.uses!, action.runs.steps) ?? action.runs.steps;
    await this.runSteps(steps, inner, `${label} › `);
    if (inner.status.failed) scope.status.failed = true;
    return { how: 'composite', ok: !inner.status.failed, output: '', outputs: {} };
  }

  private standIn(step: Step, scope: Scope): { how: string; ok: boolean; output: string; outputs: Record<string, string> } {
    const action = step.uses!.split('@')[0] as keyof typeof STAND_INS;
    const how = `stand-in for ${step.uses}: ${STAND_INS[action] ?? ''}`;
    const given = (name: string) => this.filled(step.with?.[name], scope);
    const { workspace } = scope.world;
    switch (action) {
      case 'actions/checkout':
        execaSyncArchive(this.repo, workspace);
        return { how, ok: true, output: '', outputs: {} };
      case 'actions/setup-node':
      case 'actions/cache':
        return { how, ok: true, output: '', outputs: action === 'actions/cache' ? { 'cache-hit': 'false' } : {} };
      case 'actions/upload-artifact': {
        const source = path.resolve(workspace, given('path'));
        const target = path.join(this.artifacts, given('name'));
        if (!existsSync(source)) return { how, ok: given('if-no-files-found') !== 'error', output: `no files at ${source}`, outputs: {} };
        if (existsSync(target) && given('overwrite') !== 'true') return { how, ok: false, output: `(409) an artifact named ${given('name')} exists and overwrite is not true`, outputs: {} };
        mkdirSync(target, { recursive: true });
        cpSync(source, statSync(source).isDirectory() ? target : path.join(target, path.basename(source)), { recursive: true });
        return { how, ok: true, output: '', outputs: {} };
      }
      case 'actions/download-artifact': {
        const source = path.join(this.artifacts, given('name'));
        if (!existsSync(source)) return { how, ok: false, output: `no artifact named ${given('name')}`, outputs: {} };
        const target = path.resolve(workspace, given('path'));
        mkdirSync(target, { recursive: true });
        for (const entry of readdirSync(source)) cpSync(path.join(source, entry), path.join(target, entry), { recursive: true });
        return { how, ok: true, output: '', outputs: {} };
      }
      default:
        throw new Error(`no stand-in for ${step.uses}: add one to STAND_INS, saying what it stands in for`);
    }
  }
}

function execaSyncArchive(repo: string, workspace: string): void {
  mkdirSync(workspace, { recursive: true });
  const archive = execaSync('git', ['-C', repo, 'archive', 'HEAD'], { encoding: 'buffer' }).stdout;
  execaSync('tar', ['-x', '-C', workspace], { input: archive });
}

/** `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIMITER` blocks. */
function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      outputs[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return outputs;
}
