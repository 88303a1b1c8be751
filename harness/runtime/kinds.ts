/**
 * The runtime kinds: the one place that knows which exist. Each kind lives in its own folder and
 * registers here what it can do; the CLI, the run's preparation and the workers ask the registry and
 * never switch on a kind. Adding a kind is its folder plus one line in BUILT_IN (or a call to
 * registerRuntimeKind, as an in-process kind of a test does).
 */
import { SettingsError, type RunSettings } from '../config/settings.ts';
import type { PreparedTarget } from '../contract/prepared-target.ts';
import type { Accelerator, ResolveTarget } from '../contract/run-target.ts';
import type { Runtime } from '../contract/sandbox.ts';
import type { DiskFormat, RootfsLayout } from '../image/types.ts';
import { execKind } from './exec-adapter/kind.ts';
import type { ServedRuntime } from './exec-adapter/serve.ts';
import { qemuKind } from './qemu/kind.ts';

/** A baseline boot of the kind's VMM without the harness (the bench's raw boot), or why there is none. */
export type RawBoot = (() => Promise<number>) | { unavailable: string };

export interface RuntimeKind {
  /** What `--runtime NAME` selects it by (and `runtime serve NAME` serves). */
  name: string;
  /** Whether a `--runtime` value names this kind beyond its bare name (an adapter's `exec:COMMAND`). */
  selects?(runtime: string): boolean;
  /** A mistake in the settings only this kind reads (its own flags), as the one usage line the CLI prints while parsing. */
  settingsProblem?(settings: RunSettings): string | undefined;
  /** The kind's preflight (one line and exit 2 on refusal); its answer resolves the run target once the image exists. */
  prepare(settings: RunSettings, onProgress: (line: string) => void): Promise<ResolveTarget>;
  /** The runtime a prepared target describes: what a worker (and the bench) calls, and nothing else. */
  open(target: PreparedTarget): Promise<Runtime>;
  /** Lines `gauntlet doctor` adds for this kind (its machine, its guest CPU). */
  describe?(settings: RunSettings, accel: Accelerator | undefined): [string, string][];
  /** The bench's baseline: the kind's VMM booting the guest alone. */
  rawBoot?(target: PreparedTarget): RawBoot;
  /** The root-disk bases an exported image must carry for this kind, in the format it boots. */
  imageNeeds?(settings: RunSettings): { format: DiskFormat; layouts: RootfsLayout[] };
  /** The kind as an out-of-process adapter (`gauntlet runtime serve NAME`). */
  serve?(): ServedRuntime;
}

const BUILT_IN: RuntimeKind[] = [qemuKind, execKind];
/** The kind a run uses when `--runtime` names none: the reference runtime. */
const DEFAULT_KIND = qemuKind.name;

const registry = new Map<string, RuntimeKind>(BUILT_IN.map((kind) => [kind.name, kind]));

export function registerRuntimeKind(kind: RuntimeKind): void {
  if (registry.has(kind.name)) throw new Error(`runtime kind ${kind.name} is already registered`);
  registry.set(kind.name, kind);
}

export function runtimeKinds(): RuntimeKind[] {
  return [...registry.values()];
}

/** The kind a `--runtime` value selects (none: the default); a name no kind answers to is refused in one line. */
export function kindFor(runtime: string | undefined): RuntimeKind {
  const name = runtime ?? DEFAULT_KIND;
  const kind = registry.get(name) ?? runtimeKinds().find((candidate) => candidate.selects?.(name));
  if (!kind) throw new SettingsError(`--runtime must be exec:COMMAND or one of ${[...registry.keys()].join(', ')} (got ${name})`);
  return kind;
}

/** The kind that opens a prepared target: it was named when the target was prepared. */
export function kindOf(target: Pick<PreparedTarget, 'kind'>): RuntimeKind {
  const kind = registry.get(target.kind);
  if (!kind) throw new Error(`the prepared target names runtime kind ${target.kind}, which this process has not registered`);
  return kind;
}

/** Builds the runtime of a prepared target, once per worker (and for the bench). */
export function openRuntime(target: PreparedTarget): Promise<Runtime> {
  return kindOf(target).open(target);
}
