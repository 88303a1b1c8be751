/**
 * Run settings. The CLI resolves them once (flags, accelerator probe) and hands them to the test
 * workers through the environment, which vitest workers inherit; everything else reads them here.
 */
import path from 'node:path';
import { GUEST_ARCHES, type Accelerator, type GuestArch, type RunTarget } from '../contract/run-target.ts';

export type AcceleratorChoice = Accelerator | 'auto';
export const ACCELERATOR_CHOICES: AcceleratorChoice[] = ['auto', 'kvm', 'hvf', 'tcg'];

export interface RunSettings {
  arch: GuestArch;
  /** The runtime's machine or board (`--machine`; the runtime checks the name); undefined: its default for the arch. */
  machine: string | undefined;
  /** The VMM binary to run (`--qemu` for the reference runtime); another build is the point of a regression hunt. Undefined: the runtime's default. */
  vmmBinary: string | undefined;
  /** An out-of-process runtime, `exec:COMMAND [ARGS]` (`--runtime`); undefined: the in-process reference runtime. */
  runtime?: string;
  /** A kernel of the user's instead of the image's. */
  kernel: string | undefined;
  /** A Debian kernel package to build the image around, NAME[=VERSION]; after prepareRun always NAME=VERSION. */
  kernelPackage: string | undefined;
  /** A packaged VMM build to fetch and run instead of the host's (`--qemu-package NAME[=VERSION]`); prepareRun points vmmBinary at it. */
  vmmPackage?: string;
  /** Sources lines apt reads besides the host's (`--apt-source`, repeatable), for vmmPackage and kernelPackage. */
  aptSources?: string[];
  accelRequested: AcceleratorChoice;
  /** What the run runs on, resolved once by prepareRun; until then undefined. Its accelerator is the one every deadline scales with. */
  target?: RunTarget;
  reportsDir: string;
  /** Directory for every VM of this run; swept when the run ends. */
  runDir: string | undefined;
  cacheDir: string | undefined;
  /** Which run of `gauntlet run --repeat N` this is (1-based); undefined without --repeat. */
  repeat: number | undefined;
  /** Seeds every random choice of the run (`--seed`); the run picks and prints one when not given. */
  seed: number | undefined;
  /** `--cold`: every VM boots, none is restored from a snapshot (SandboxSpec.restore is ignored, and said so). */
  cold?: boolean;
}

export const ENV = {
  arch: 'GAUNTLET_ARCH',
  machine: 'GAUNTLET_MACHINE',
  vmmBinary: 'GAUNTLET_VMM',
  kernel: 'GAUNTLET_KERNEL',
  kernelPackage: 'GAUNTLET_KERNEL_PACKAGE',
  vmmPackage: 'GAUNTLET_VMM_PACKAGE',
  aptSources: 'GAUNTLET_APT_SOURCES',
  runtime: 'GAUNTLET_RUNTIME',
  accelRequested: 'GAUNTLET_ACCEL',
  target: 'GAUNTLET_TARGET',
  reportsDir: 'GAUNTLET_REPORTS',
  runDir: 'GAUNTLET_RUN_DIR',
  cacheDir: 'GAUNTLET_CACHE_DIR',
  repeat: 'GAUNTLET_REPEAT',
  seed: 'GAUNTLET_SEED',
  cold: 'GAUNTLET_COLD',
} as const satisfies Record<keyof RunSettings, string>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw new SettingsError(`${what} must be one of ${allowed.join(', ')} (got ${value})`);
  return value as T;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const arch = oneOf<GuestArch>(env[ENV.arch], GUEST_ARCHES, `--arch (${ENV.arch})`) ?? hostGuestArch();
  return {
    arch,
    machine: env[ENV.machine] || undefined,
    vmmBinary: env[ENV.vmmBinary] || undefined,
    kernel: env[ENV.kernel] || undefined,
    kernelPackage: env[ENV.kernelPackage] || undefined,
    vmmPackage: env[ENV.vmmPackage] || undefined,
    aptSources: parseAptSources(env[ENV.aptSources]),
    accelRequested: oneOf(env[ENV.accelRequested], ACCELERATOR_CHOICES, `--accel (${ENV.accelRequested})`) ?? 'auto',
    runtime: env[ENV.runtime] || undefined,
    target: parseTarget(env[ENV.target]),
    reportsDir: path.resolve(env[ENV.reportsDir] || 'reports'),
    runDir: env[ENV.runDir] || undefined,
    cacheDir: env[ENV.cacheDir] || undefined,
    repeat: env[ENV.repeat] ? Number(env[ENV.repeat]) : undefined,
    seed: parseSeed(env[ENV.seed]),
    cold: env[ENV.cold] === 'true',
  };
}

export function settingsToEnv(settings: RunSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV) as [keyof RunSettings, string][]) {
    const value = settings[key];
    if (value !== undefined) env[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return env;
}

/** A seed is a whole number that fits 32 bits, what the seeded generator takes. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 0xffff_ffff) throw new SettingsError(`a seed is a whole number from 0 to ${0xffff_ffff} (got ${text})`);
  return Number(text);
}

/** The --apt-source lines as JSON in the environment (written by settingsToEnv). */
function parseAptSources(text: string | undefined): string[] | undefined {
  if (text === undefined || text === '') return undefined;
  const lines: unknown = JSON.parse(text);
  if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) throw new SettingsError(`${ENV.aptSources} is not a JSON list of sources lines`);
  return lines;
}

/** The target prepareRun resolved, as JSON in the environment; written by settingsToEnv only. */
function parseTarget(text: string | undefined): RunTarget | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as RunTarget;
  } catch {
    throw new SettingsError(`${ENV.target} is not the JSON a prepared run writes (got ${text.slice(0, 40)})`);
  }
}

function hostGuestArch(): GuestArch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}
