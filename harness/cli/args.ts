/** Command-line parsing into run settings; every mistake becomes a one-line UsageError. */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PREPARED_TARGET_ENV } from '../config/prepared-env.ts';
import { ENV, readSettings, type RunSettings } from '../config/settings.ts';
import { aptSourceProblem } from '../image/apt-state.ts';
import { parseKernelPackage } from '../image/kernel-package.ts';
import { parseBudget } from '../hunt/budget.ts';
import { huntPlan, type HuntPlan } from '../hunt/hunt-args.ts';
import { kindFor } from '../runtime/kinds.ts';
import type { Shard } from '../reports/run-record.ts';
import { GUEST_ARCHES, type GuestArch } from '../contract/run-target.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type CommandName = 'run' | 'prove' | 'hunt' | 'test' | 'doctor' | 'image-build' | 'image-export' | 'image-export-kit' | 'image-import' | 'merge' | 'report' | 'compare' | 'runtime-serve' | 'runtime-check' | 'bench' | 'help';

/** How `gauntlet run` runs the suites, beyond the settings every worker reads. */
export interface RunOptions {
  /** Run the selected suites this many times; a case that passes and fails across them is flaky. */
  repeat: number;
  /** This host's slice of the test files (vitest sharding); the records merge with `gauntlet merge`. */
  shard: Shard | undefined;
  /** Host cores kept busy during the run, as a noisy CI runner's neighbours would: flakiness shows up here first. */
  loadCores: number;
  /** Host cores this run may plan VMs for (all when undefined): two runs side by side each take a share and neither starves the other. */
  cores: number | undefined;
}

export interface ParsedCommand {
  command: CommandName;
  /** Suites for run. */
  suites: string[];
  /** Run records for merge, report and compare; the archive for image export and import; the runtime to serve or check. */
  files: string[];
  /** Where `gauntlet report` (-o) or `gauntlet compare` (--html) writes its page. */
  output: string | undefined;
  run: RunOptions;
  settings: RunSettings;
  /**
   * The guest architectures `gauntlet test` covers: the settings' own first (unit, suites and faults),
   * then every other one this host can emulate (suites), unless --arch, --machine, --qemu or --kernel
   * tied the run to one.
   */
  testArches: GuestArch[];
  /** `gauntlet hunt`: its two sides, suites and budget. */
  hunt?: HuntPlan;
  /** `gauntlet bench --budget`: the time its rounds may take (a hunt gives its bench what is left of its own). */
  benchBudgetMs?: number;
}

/** With --bisect, a run that could not be made exits 125 so `git bisect run` skips the commit. */
export function wantsBisect(argv: string[]): boolean {
  return argv.includes('--bisect');
}

const RUN_ONLY = ['repeat', 'shard', 'bisect', 'load', 'cores'] as const;
/** Of those, what a hunt takes too: it plans its sides' cores, and exits 125 under --bisect. */
const HUNT_TOO: readonly string[] = ['bisect', 'cores'];
/** A cell's shard proves its share of the fault tests, as it ran its share of the suites. */
const PROVE_TOO: readonly string[] = ['shard'];

/**
 * What a run's preparation hands its own workers through the environment: its target, its run dir,
 * which repeat this is. A command started inside a run (a test that runs the CLI, a nested CI job)
 * inherits them, and must prepare a run of its own: with the parent's target it would skip the
 * preflight, and with the parent's run dir its sweep would kill the parent's VMs.
 */
const PREPARED_BY_A_RUN = [ENV.target, ENV.runDir, ENV.repeat, PREPARED_TARGET_ENV];

function withoutPreparedRun(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = { ...env };
  for (const name of PREPARED_BY_A_RUN) delete own[name];
  return own;
}

/** `gauntlet runtime serve`: the adapter a run's worker starts, which serves that very run. */
function servesAdapter(positionals: string[]): boolean {
  return positionals[0] === 'runtime' && positionals[1] === 'serve';
}

const OPTIONS = {
  arch: { type: 'string' },
  accel: { type: 'string' },
  qemu: { type: 'string' },
  runtime: { type: 'string' },
  kernel: { type: 'string' },
  'kernel-package': { type: 'string' },
  'qemu-package': { type: 'string' },
  'apt-source': { type: 'string', multiple: true },
  machine: { type: 'string' },
  reports: { type: 'string' },
  repeat: { type: 'string' },
  shard: { type: 'string' },
  bisect: { type: 'boolean' },
  load: { type: 'string' },
  cores: { type: 'string' },
  budget: { type: 'string' },
  seed: { type: 'string' },
  cold: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  html: { type: 'string' },
  for: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];
type CommandBase = Omit<ParsedCommand, 'command'>;

export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see gauntlet --help)`);
  }
  const { values, positionals } = parsed;
  const { settings, testArches } = settingsOf(values, positionals, env);
  const [verb, ...rest] = positionals;
  const base: CommandBase = { suites: [], files: [], output: undefined, run: { repeat: 1, shard: undefined, loadCores: 0, cores: undefined }, settings, testArches };
  if (values.help || verb === undefined || verb === 'help') return { ...base, command: 'help' };

  const misplaced = RUN_ONLY.filter((flag) => values[flag] !== undefined && verb !== 'run' && !(verb === 'hunt' && HUNT_TOO.includes(flag)) && !(verb === 'prove' && PROVE_TOO.includes(flag)));
  if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} belongs to gauntlet run`);
  if (values.budget !== undefined && verb !== 'hunt' && verb !== 'bench') throw new UsageError('--budget belongs to gauntlet hunt and bench');
  if (values.output !== undefined && verb !== 'report') throw new UsageError('-o/--output belongs to gauntlet report (merge writes into --reports)');
  if (values.html !== undefined && verb !== 'compare') throw new UsageError('--html belongs to gauntlet compare (run and report write index.html)');
  if (values.for !== undefined && !(verb === 'image' && rest[0] === 'export')) throw new UsageError('--for belongs to gauntlet image export');
  return commandOf(verb, rest, values, base);
}

/** The settings the flags give over the environment, and the guest arches `gauntlet test` runs. */
function settingsOf(values: Values, positionals: string[], env: NodeJS.ProcessEnv): Pick<ParsedCommand, 'settings' | 'testArches'> {
  const overrides: Record<string, string | undefined> = {
    [ENV.arch]: values.arch,
    [ENV.accelRequested]: values.accel,
    [ENV.vmmBinary]: values.qemu,
    [ENV.runtime]: values.runtime,
    [ENV.kernel]: values.kernel,
    [ENV.kernelPackage]: values['kernel-package'],
    [ENV.vmmPackage]: values['qemu-package'],
    [ENV.aptSources]: values['apt-source'] && JSON.stringify(values['apt-source']),
    [ENV.machine]: values.machine,
    [ENV.reportsDir]: values.reports,
    [ENV.seed]: values.seed,
    [ENV.cold]: values.cold ? 'true' : undefined,
  };
  const merged = servesAdapter(positionals) ? { ...env } : withoutPreparedRun(env);
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) merged[name] = value;
  const settings = readSettings(merged);
  if (settings.kernel && settings.kernelPackage) throw new UsageError('--kernel and --kernel-package both choose the guest kernel: give one');
  if (settings.kernelPackage) asUsageError(() => parseKernelPackage(settings.kernelPackage!));
  if (values.qemu !== undefined && settings.vmmPackage) throw new UsageError('--qemu and --qemu-package both choose the QEMU build: give one');
  if (settings.vmmPackage && settings.runtime) throw new UsageError('--qemu-package is a build for the in-process QEMU runtime; an exec: runtime runs its own VMM');
  const kindProblem = asUsageError(() => kindFor(settings.runtime)).settingsProblem?.(settings);
  if (kindProblem) throw new UsageError(kindProblem);
  const badSource = settings.aptSources?.map(aptSourceProblem).find(Boolean);
  if (badSource) throw new UsageError(badSource);
  const archFixed = [ENV.arch, ENV.machine, ENV.vmmBinary, ENV.vmmPackage, ENV.kernel, ENV.kernelPackage].some((name) => merged[name]);
  const testArches = archFixed ? [settings.arch] : [settings.arch, ...GUEST_ARCHES.filter((arch) => arch !== settings.arch)];
  return { settings, testArches };
}

function commandOf(verb: string, rest: string[], values: Values, base: CommandBase): ParsedCommand {
  const { settings } = base;
  switch (verb) {
    case 'run':
      return { ...base, command: 'run', suites: rest, run: { repeat: parseRepeat(values.repeat), shard: parseShard(values.shard), loadCores: parseLoad(values.load), cores: parseCores(values.cores) } };
    case 'prove':
      // Its own directory unless told: proofs must not replace the suites' reports.
      return {
        ...base,
        command: 'prove',
        suites: rest,
        run: { ...base.run, shard: parseShard(values.shard) },
        settings: values.reports ? settings : { ...settings, reportsDir: path.join(settings.reportsDir, 'prove') },
      };
    case 'hunt': {
      const shared = [
        ...(['arch', 'accel', 'machine'] as const).flatMap((flag) => (values[flag] === undefined ? [] : [`--${flag}`, values[flag]!])),
        ...(values['apt-source'] ?? []).flatMap((line) => ['--apt-source', line]),
      ];
      const hunt = asUsageError(() => huntPlan(rest, { budget: values.budget, cores: parseCores(values.cores), bisect: values.bisect ?? false, reports: values.reports, shared }));
      return { ...base, command: 'hunt', hunt };
    }
    case 'bench':
      if (rest.length > 0) throw new UsageError(`gauntlet bench takes no arguments (got ${rest.join(' ')})`);
      // Its own directory unless told: a bench must not replace the suites' reports.
      return {
        ...base,
        command: 'bench',
        settings: values.reports ? settings : { ...settings, reportsDir: path.join(settings.reportsDir, 'bench') },
        ...(values.budget === undefined ? {} : { benchBudgetMs: asUsageError(() => parseBudget(values.budget!)) }),
      };
    case 'test':
    case 'doctor':
      if (rest.length > 0) throw new UsageError(`gauntlet ${verb} takes no arguments (got ${rest.join(' ')})`);
      return { ...base, command: verb };
    case 'image':
      if (rest.length === 1 && rest[0] === 'build') return { ...base, command: 'image-build' };
      if (values.for !== undefined && values.for !== 'other-vmm') throw new UsageError(`--for takes other-vmm (got ${values.for})`);
      if (rest.length === 2 && rest[0] === 'export' && values.for) return { ...base, command: 'image-export-kit', files: [rest[1]!] };
      if (rest.length === 2 && (rest[0] === 'export' || rest[0] === 'import')) return { ...base, command: `image-${rest[0]}`, files: [rest[1]!] };
      throw new UsageError('usage: gauntlet image build | image export FILE | image export --for other-vmm DIR | image import FILE');
    case 'runtime':
      if (rest.length === 2 && (rest[0] === 'serve' || rest[0] === 'check')) return { ...base, command: `runtime-${rest[0]}`, files: [rest[1]!] };
      throw new UsageError('usage: gauntlet runtime serve qemu | runtime check exec:COMMAND');
    case 'merge':
      if (rest.length < 1) throw new UsageError('usage: gauntlet merge RUN.json... [--reports DIR]');
      return { ...base, command: 'merge', files: rest };
    case 'report':
      if (rest.length !== 1) throw new UsageError('usage: gauntlet report RUN.json [-o FILE.html]');
      return { ...base, command: 'report', files: rest, output: values.output };
    case 'compare':
      if (rest.length !== 2) throw new UsageError('usage: gauntlet compare A.json B.json [--html FILE]');
      return { ...base, command: 'compare', files: rest, output: values.html };
    default:
      throw new UsageError(`unknown command: ${verb} (see gauntlet --help)`);
  }
}

function asUsageError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseRepeat(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--repeat takes a whole number of runs, 1 or more (got ${text})`);
  return Number(text);
}

/** --load keeps at least one core for the run itself; --cores may give the run them all. */
function parseLoad(text: string | undefined): number {
  return text === undefined ? 0 : parseCoreCount(text, '--load takes a number of host cores to keep busy', availableParallelism() - 1);
}

function parseCores(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseCoreCount(text, "--cores takes a number of host cores for the run's VMs", availableParallelism());
}

function parseCoreCount(text: string, usage: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`${usage}, 1 to ${max} on this host (got ${text})`);
  return Number(text);
}

function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const match = /^([1-9]\d*)\/([1-9]\d*)$/.exec(text);
  if (!match || Number(match[1]) > Number(match[2])) throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (got ${text})`);
  return { index: Number(match[1]), count: Number(match[2]) };
}
