/**
 * Snapshot restore for the QEMU runtime. A booted, agent-ready VM is saved once per profile (its command
 * line without its files, its disk base, its faults) with QMP `stop` and a migration to a file; new
 * VMs start from it with the same command line plus `-S -incoming defer`,
 * each on its own overlay backed by the overlay as it was at save time (read-only from then on: the
 * guest's disk must match its saved memory).
 *
 * Saved states outlive the run, in a cache beside the image named by everything a state is only valid
 * for (snapshot-cache.ts): a profile costs one cold boot and a save the first time, not in every run.
 * What a run writes into a state's files stays in the run dir.
 *
 * Plain migration, not `x-ignore-shared` with file-backed RAM: measured here (QEMU 7.2, microvm, TCG,
 * 256 MiB, 5 restores each) the shared RAM file cut the save from 517 ms to 14 ms, but every clone then
 * needs its own copy of the whole RAM file, and start to running went from 102-142 ms to 155-177 ms,
 * with 256 MiB of /dev/shm resident per clone instead of the pages the guest touched.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { QmpClient } from './qmp-client.ts';
import { VMM_EXTRA_FD } from './vmm-process.ts';
import { SNAPSHOT } from './tuning.ts';
import { processExists } from '../../host/process-exists.ts';
import { shellQuote } from '../../text/shell-quote.ts';
import type { Fault } from '../../contract/faults.ts';
import type { SandboxSpec } from '../../contract/sandbox.ts';
import type { VmPaths } from './command-line.ts';
import { resolveSpec, rootBaseShape, vmCommandLine, type VmTarget } from './vm-shape.ts';

/** One saved VM: its device and memory state, and its root disk as it was at save time. */
export interface SavedVmState {
  stateFile: string;
  /** Read-only; every restored VM gets its own overlay on top of it. */
  rootOverlay: string;
  /** Fault restore-shares-overlay: the one writable overlay every clone of this state is given. */
  sharedOverlay: string;
  /** What was recorded at the save (SavedStateFacts), as JSON. */
  factsFile: string;
}

/** Faults of the restore itself: the saved VM is the same with or without them. */
const RESTORE_FAULTS: ReadonlySet<Fault> = new Set<Fault>(['restore-shares-overlay', 'restore-resets-balloon', 'restore-loses-stats-polling', 'restore-awaits-hello', 'restore-skips-reseed', 'restore-keeps-saved-clock', 'restore-boots-cold']);

/** Why a VM of this spec cannot be restored (it boots cold instead), or undefined when it can. */
export function restoreUnsupported(spec: SandboxSpec): string | undefined {
  if (spec.disk?.scratchMiB !== undefined) return 'a scratch disk is not part of the saved state';
  if (spec.disk?.overlayDir !== undefined) return 'the case chose where the overlays live';
  if (spec.disk?.hostStorageControl) return 'the root drive is built for a storage swap, a different device tree';
  if (spec.hostile) return 'a hostile guest is the subject of its case from boot';
  if (spec.faults?.includes('console-log-uncapped')) return 'the console is a log file the VMM writes itself, not one the harness keeps';
  return undefined;
}

/**
 * Whether a profile's saved state is kept for later runs. A broken guest's (a fault test's profile)
 * stays in its run: ~30 fault profiles at ~60 MB each would add ~2 GB per build to the cache, to
 * spare one boot each. A fault of the restore itself leaves the saved guest healthy.
 */
export function keptAcrossRuns(spec: SandboxSpec): boolean {
  return !templateSpec(spec, 'profile').faults?.length;
}

/**
 * Stand-ins for a VM's own files: a saved state is valid for any VM whose command line matches the
 * template's apart from them.
 */
const PROFILE_PATHS: VmPaths = {
  qmpSocket: 'qmp',
  controlSocket: 'control',
  agentSocket: 'agent',
  consolePipe: 'console.pipe',
  consoleLog: 'console.log',
  pidFile: 'pid',
  rootOverlay: 'root',
};

/**
 * The profile a saved state is valid for: what the booted guest is made of (its command line, its
 * root disk's base), the faults it was made with, and the balloon it was saved at. Taken from the
 * command line rather than the spec, so specs that differ only in how they say it (a default given
 * or left out, a setting applied after the restore such as stats polling) share one saved state.
 */
export function profileKey(spec: SandboxSpec, target: VmTarget, rootBaseFile: string): string {
  const template = templateSpec(spec, 'profile');
  return JSON.stringify({
    commandLine: vmCommandLine(resolveSpec(template), target, PROFILE_PATHS),
    rootBase: rootBaseShape(template),
    rootBaseFile,
    faults: [...(template.faults ?? [])].sort(),
    balloonTargetMiB: typeof spec.restore === 'object' ? spec.restore.balloonTargetMiB : undefined,
    savedAtUptimeSeconds: typeof spec.restore === 'object' ? spec.restore.savedAtUptimeSeconds : undefined,
  });
}

/**
 * The spec of the VM that is booted cold and saved for a profile. It never polls balloon stats: each
 * restored VM turns polling on for itself, so whichever VM of a profile comes first, the saved state
 * is the same.
 */
export function templateSpec(spec: SandboxSpec, name: string): SandboxSpec {
  const { statsIntervalSeconds: _setAfterRestore, ...balloon } = spec.balloon || {};
  return {
    ...spec,
    name,
    restore: undefined,
    faults: spec.faults?.filter((fault) => !RESTORE_FAULTS.has(fault)),
    ...(spec.balloon ? { balloon } : {}),
  };
}

/**
 * Saved states, one per profile, made once even when many VMs ask at the same time, in this worker, in
 * another or in another run: the first to claim a profile (a lock directory beside it) saves it and the
 * others wait for it to appear, so a profile costs one cold boot, not one per worker.
 *
 * A profile's state is a directory (memory and device state, root overlay) that a save fills under a
 * name of its own and renames into place whole. The lock only spares duplicate boots: should two
 * savers ever both pass it (a dead owner's lock taken over by two waiters at once), the second rename
 * fails and its copy is dropped, so no VM ever restores one save's memory on another's disk, or a
 * state being rewritten under it.
 */
export class SnapshotStore {
  private readonly saved = new Map<string, Promise<SavedVmState>>();

  private dir: Promise<string> | undefined;

  /**
   * `locate` names the directory of the states, asked once and only when a VM is restored;
   * `runDir` is where this run's own writable files of a state go (the shared overlay of a fault).
   */
  constructor(
    private readonly locate: () => Promise<string>,
    private readonly runDir: string,
  ) {}

  get(key: string, save: (files: SavedVmState) => Promise<void>): Promise<SavedVmState> {
    let state = this.saved.get(key);
    if (!state) {
      state = this.claimOrAwait(key, save);
      // A failed save is not cached: the next VM of the profile tries again and says why.
      state.catch(() => this.saved.delete(key));
      this.saved.set(key, state);
    }
    return state;
  }

  private async claimOrAwait(key: string, save: (files: SavedVmState) => Promise<void>): Promise<SavedVmState> {
    const dir = await (this.dir ??= this.locate());
    await mkdir(dir, { recursive: true });
    await mkdir(this.runDir, { recursive: true });
    const name = `s${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
    const saved = path.join(dir, name);
    const sharedOverlay = path.join(this.runDir, `${name}-shared.qcow2`);
    const filesIn = (stateDir: string): SavedVmState => ({ stateFile: path.join(stateDir, 'state'), rootOverlay: path.join(stateDir, 'root.qcow2'), sharedOverlay, factsFile: path.join(stateDir, 'facts.json') });
    const lock = `${saved}.lock`;
    for (;;) {
      if (existsSync(saved)) return filesIn(saved);
      if (await claim(lock)) {
        try {
          // The claimant before us may have finished between our look and our claim: saving again would
          // only cost a boot, as the state in place is never replaced.
          if (!existsSync(saved)) await saveInPlace(saved, (stateDir) => save(filesIn(stateDir)));
          return filesIn(saved);
        } finally {
          await rm(lock, { recursive: true, force: true });
        }
      }
      if (!(await ownerAlive(lock))) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, SNAPSHOT.claimPollMs));
    }
  }
}

/**
 * Saves into a directory of this process's own, then renames it to `saved`. A save that comes second
 * leaves the first in place. Whatever a saver killed midway left is removed by the next one.
 */
async function saveInPlace(saved: string, save: (stateDir: string) => Promise<void>): Promise<void> {
  const stagingPrefix = `${path.basename(saved)}.saving-`;
  for (const entry of await readdir(path.dirname(saved))) {
    const owner = Number(entry.startsWith(stagingPrefix) ? entry.slice(stagingPrefix.length).split('-')[0] : NaN);
    if (Number.isInteger(owner) && !processExists(owner)) await rm(path.join(path.dirname(saved), entry), { recursive: true, force: true });
  }
  const staging = await mkdtemp(path.join(path.dirname(saved), `${stagingPrefix}${process.pid}-`));
  try {
    await save(staging);
    await rename(staging, saved);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

/**
 * Takes the lock directory for this process; false when another process holds it. The directory
 * appears with its owner already in it (made aside, then renamed into place), so a claimant that dies
 * at any moment leaves either no lock or one whose dead owner can be seen.
 */
async function claim(lock: string): Promise<boolean> {
  const aside = await mkdtemp(`${lock}.`);
  await writeFile(path.join(aside, 'owner'), String(process.pid));
  try {
    await rename(aside, lock);
    return true;
  } catch (error) {
    await rm(aside, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

/** A worker killed mid-save leaves its lock behind; the next claimant takes it over. */
async function ownerAlive(lock: string): Promise<boolean> {
  const owner = await readFile(path.join(lock, 'owner'), 'utf8').catch(() => undefined);
  // No owner file: the lock was released since the claim failed; the next round sees what came of it.
  return owner === undefined || processExists(Number(owner));
}

/** Saves a running VM's state to `stateFile`; the VM is left stopped. */
export async function saveVmState(qmp: QmpClient, stateFile: string): Promise<void> {
  await qmp.execute('stop');
  await qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(stateFile)}` });
  await migrationCompleted(qmp, Date.now() + SNAPSHOT.saveDeadlineMs);
}

/**
 * Loads a saved state into a QEMU started to wait for one (`incoming`) with the state file open as its
 * VMM_EXTRA_FD; the VM stays paused until `cont`. Read straight from the file, not through `exec:cat`'s
 * pipe: a 90 MB state took ~100 ms less to load here, and no cat process per restore.
 */
export async function loadVmState(qmp: QmpClient, giveUpAt: number): Promise<void> {
  await qmp.execute('migrate-incoming', { uri: `fd:${VMM_EXTRA_FD}` });
  await migrationCompleted(qmp, giveUpAt);
}

/**
 * The overlay as the VM left it, kept read-only so no restored VM can change what the others start from.
 * Copied where the run dir and the saved states are on different filesystems (a tmpfs /tmp).
 */
export async function keepOverlay(overlay: string, savedOverlay: string): Promise<void> {
  try {
    await rename(overlay, savedOverlay);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(overlay, savedOverlay);
    await rm(overlay);
  }
  await chmod(savedOverlay, 0o444);
}

interface MigrationInfo {
  status?: string;
  'error-desc'?: string;
}

async function migrationCompleted(qmp: QmpClient, giveUpAt: number): Promise<void> {
  for (;;) {
    const info = await qmp.execute<MigrationInfo>('query-migrate');
    if (info.status === 'completed') return;
    if (info.status === 'failed' || info.status === 'cancelled') throw new Error(`migration ${info.status}: ${info['error-desc'] ?? 'no reason given'}`);
    if (Date.now() > giveUpAt) throw new Error(`migration not completed in time (status ${info.status ?? 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT.migrationPollMs));
  }
}
