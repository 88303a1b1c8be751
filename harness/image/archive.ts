/**
 * One tar.gz of a cached image, so a host that cannot build images (no apt, as on macOS) runs the
 * suites from an image a Linux host built. The archive's first member, contents.json, lists every
 * entry; import unpacks into a temp dir beside the cache's images, checks everything against the
 * list and this checkout's recipe, and only then renames it into place: an import that fails or is
 * interrupted never leaves a half image where ensureGuestImage would find it.
 */
import type { Stats } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create, Parser, Unpack, type ReadEntry } from 'tar';
import {
  ArchiveProblem,
  CONTENTS_MEMBER,
  contentsOf,
  describeTree,
  firstDifference,
  parseContents,
  pathProblem,
  symlinkProblem,
  type ArchiveEntry,
} from './archive-contents.ts';
import { acquireBuildLock } from './build-lock.ts';
import { IMAGE_FILES, imageDir, imagesRoot } from './cache-paths.ts';
import { recipeHash } from './recipe.ts';
import { sourceDateEpoch } from './reproducible.ts';
import type { GuestArch, ImageManifest } from './types.ts';
import { processExists } from '../host/process-exists.ts';

/** Any reason an archive cannot be written or imported; one line, meant for the user. */
export class ImageArchiveError extends Error {
  override name = 'ImageArchiveError';
}

/**
 * Temp dirs of rootfs base builders (rootfs-base.ts) are work in progress, and saved VM states are
 * only valid on the host that made them: neither is image content.
 */
function isNotImageContent(rel: string): boolean {
  return rel.startsWith(`${IMAGE_FILES.bases}/.tmp-`) || rel === IMAGE_FILES.snapshots;
}

export interface WrittenArchive {
  entries: number;
  bytes: number;
}

/**
 * Writes the image directory to `file` (through a temp file beside it, renamed when complete).
 * The manifest follows contents.json so `tar tzf | head` shows what the archive holds.
 */
export async function writeImageArchive(imageDirectory: string, file: string): Promise<WrittenArchive> {
  const entries = await describeTree(imageDirectory, isNotImageContent).catch((error: unknown) => {
    if (error instanceof ArchiveProblem || isFilesystemError(error)) throw new ImageArchiveError(`cannot read ${imageDirectory}: ${firstLine(error)}`);
    throw error;
  });
  if (!entries.some((entry) => entry.path === IMAGE_FILES.manifest && entry.type === 'file')) {
    throw new ImageArchiveError(`${imageDirectory} holds no ${IMAGE_FILES.manifest}: not a finished image`);
  }
  const staging = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-export-'));
  const partial = `${file}.partial-${process.pid}`;
  try {
    // contents.json is not in the image directory, and tar takes members from one directory: it goes
    // in through a one-member tar, which tar's '@' prefix splices into the archive.
    await writeFile(path.join(staging, CONTENTS_MEMBER), `${JSON.stringify(contentsOf(entries), null, 1)}\n`);
    const contentsTar = path.join(staging, 'contents.tar');
    // The same image exports to the same bytes, so CI can key caches on the archive: one mtime for
    // every member (nothing reads them; rootfs bases pin their own) and portable headers, which
    // leave out owners, atime and ctime. Portable also rounds modes to 0644/0755; contents.json keeps
    // the real ones, and import sets them.
    const headers = { mtime: new Date(sourceDateEpoch() * 1000), portable: true };
    await create({ file: contentsTar, cwd: staging, ...headers }, [CONTENTS_MEMBER]);
    const members = [IMAGE_FILES.manifest, ...entries.map((entry) => entry.path).filter((rel) => rel !== IMAGE_FILES.manifest)];
    // noDirRecurse: each directory's children are listed explicitly, base builders' temp dirs left out.
    await create({ file: partial, cwd: imageDirectory, gzip: true, noDirRecurse: true, ...headers }, [`@${contentsTar}`, ...members]);
    await rename(partial, file);
    return { entries: entries.length, bytes: (await stat(file)).size };
  } catch (error) {
    if (isFilesystemError(error)) {
      // The archive is written beside `file` and renamed onto it: name the user's path, not the temp file's.
      const reason = error.code === 'EISDIR' ? 'it is a directory' : firstLine(error).replace(partial, file);
      throw new ImageArchiveError(`cannot write ${file}: ${reason}`);
    }
    throw error;
  } finally {
    await rm(partial, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

const IMPORT_PREFIX = '.import-';

/**
 * Removes what imports killed mid-way left in the cache (their pid is in the name). Imports call it,
 * and so does every run, so a cut-short import in CI is gone by the next step that uses the cache.
 */
export async function sweepDeadImports(cacheDir: string): Promise<string[]> {
  const root = imagesRoot(cacheDir);
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^\\${IMPORT_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || processExists(pid)) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    removed.push(path.join(root, name));
  }
  return removed;
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'Directory', 'SymbolicLink']);

/** The members tar would unpack, each refused (not just skipped, as tar would) where it could land outside. */
function memberFilter(): { filter: (raw: string, entry: Stats | ReadEntry) => boolean; refused: () => string | undefined } {
  let refused: string | undefined;
  const filter = (raw: string, entry: Stats | ReadEntry) => {
    const { type, linkpath } = entry as ReadEntry;
    const member = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    const problem = pathProblem(member)
      ?? (ALLOWED_TYPES.has(type) ? undefined : `${member}: ${type} members are not allowed`)
      ?? (type === 'SymbolicLink' ? symlinkProblem(member, String(linkpath)) : undefined);
    refused ??= problem;
    return problem === undefined && member !== '';
  };
  return { filter, refused: () => refused };
}

/** A failed system call (a full disk, a read-only cache): the host's trouble, told in one line like the archive's. */
function isFilesystemError(error: unknown): error is NodeJS.ErrnoException {
  return typeof (error as NodeJS.ErrnoException)?.code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/**
 * Reads the whole archive (gzip's CRC and length included) and every member header, writing nothing.
 * tar's unpacker, once its input breaks, rejects at once while file writes it started are still under
 * way and never says when they have stopped; proving the bytes whole first leaves it no way to break.
 */
async function checkReadable(bytes: Buffer): Promise<void> {
  const { filter, refused } = memberFilter();
  const parser = new Parser({ strict: true, filter, onReadEntry: (entry) => entry.resume() });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', resolve);
    parser.end(bytes);
  }).catch((error: unknown) => {
    throw new ArchiveProblem(refused() ?? `not a readable tar.gz (${firstLine(error)})`);
  });
  const problem = refused();
  if (problem) throw new ArchiveProblem(problem);
}

/**
 * Unpacks checked bytes into `into`. Not strict: a member that cannot be written (a full disk) is then
 * a warning, and the unpacker ends only after every write it started has settled, so the caller can
 * remove `into` without racing a write that lands after the removal.
 */
async function writeMembers(bytes: Buffer, into: string): Promise<void> {
  const { filter } = memberFilter();
  const warnings: string[] = [];
  const unpacker = new Unpack({ cwd: into, filter, preserveOwner: false, onwarn: (_code, message) => warnings.push(message) });
  await new Promise<void>((resolve, reject) => {
    unpacker.on('error', reject);
    unpacker.on('close', resolve);
    unpacker.end(bytes);
  });
  if (warnings.length > 0) throw new ArchiveProblem(`cannot unpack into ${into}: ${warnings[0]!.split('\n')[0]}`);
}

async function unpack(file: string, into: string): Promise<void> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveProblem(error.code === 'ENOENT' ? 'no such file' : `cannot read it (${firstLine(error)})`);
  });
  await checkReadable(bytes);
  await writeMembers(bytes, into);
}

/** Checks the unpacked tree against its contents.json, then the manifest against this checkout. */
async function verify(dir: string, arch: GuestArch): Promise<{ manifest: ImageManifest; entries: ArchiveEntry[] }> {
  const listText = await readFile(path.join(dir, CONTENTS_MEMBER), 'utf8').catch(() => {
    throw new ArchiveProblem(`${CONTENTS_MEMBER} missing: not an archive of gauntlet image export`);
  });
  const { entries } = parseContents(listText);
  const difference = firstDifference(entries, await describeTree(dir, (rel) => rel === CONTENTS_MEMBER));
  if (difference) throw new ArchiveProblem(difference);

  let manifest: ImageManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, IMAGE_FILES.manifest), 'utf8')) as ImageManifest;
  } catch {
    throw new ArchiveProblem(`${IMAGE_FILES.manifest} missing or not JSON`);
  }
  if (manifest.arch !== arch) {
    throw new ArchiveProblem(`holds an ${String(manifest.arch)} image, not ${arch} (import it with --arch ${String(manifest.arch)})`);
  }
  const wanted = await recipeHash(arch);
  if (manifest.recipeHash !== wanted) {
    throw new ArchiveProblem(
      `image of recipe ${String(manifest.recipeHash).slice(0, 16)}, but this checkout's ${arch} recipe is ${wanted.slice(0, 16)} ` +
        '(built from other guest fixtures or another builder version)',
    );
  }
  const files = new Map(entries.flatMap((entry) => (entry.type === 'file' ? [[entry.path, entry.sha256] as const] : [])));
  for (const { path: rel, sha256 } of Object.values(manifest.artifacts ?? {})) {
    if (files.get(rel) !== sha256) throw new ArchiveProblem(`${rel}: sha256 differs from ${IMAGE_FILES.manifest}`);
  }
  for (const required of [IMAGE_FILES.kernel, IMAGE_FILES.initramfs]) {
    if (!files.has(required)) throw new ArchiveProblem(`${required}: missing`);
  }
  return { manifest, entries };
}

/** Unpacking bent the modes (umask, tar keeps directories writable); the list has the real ones. */
async function applyModes(dir: string, entries: ArchiveEntry[]): Promise<void> {
  for (const entry of entries) {
    if (entry.type !== 'symlink') await chmod(path.join(dir, entry.path), parseInt(entry.mode, 8));
  }
  // mkdtemp made it private; the image is shared by every VM, whoever runs them.
  await chmod(dir, 0o755);
}

export type ImportOutcome =
  | { kind: 'imported'; dir: string }
  /** The same build (byte-identical manifest) was cached already; bases it lacked were added. */
  | { kind: 'already-there'; dir: string; addedBases: string[] }
  /** Another build of the same recipe was cached; the archive's replaced it. */
  | { kind: 'replaced'; dir: string };

/**
 * Puts the archive's rootfs bases that the cached image lacks into it. link(), not rename(): a test
 * worker may build the same base meanwhile, and a base a VM has open is never replaced.
 */
async function addMissingBases(from: string, to: string, entries: ArchiveEntry[]): Promise<string[]> {
  const added: string[] = [];
  for (const entry of entries) {
    if (entry.type !== 'file' || path.posix.dirname(entry.path) !== IMAGE_FILES.bases) continue;
    await mkdir(path.join(to, IMAGE_FILES.bases), { recursive: true });
    await chmod(path.join(from, entry.path), parseInt(entry.mode, 8));
    try {
      await link(path.join(from, entry.path), path.join(to, entry.path));
      added.push(path.posix.basename(entry.path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return added;
}

async function place(
  unpacked: string,
  entries: ArchiveEntry[],
  finalDir: string,
  root: string,
  progress: (line: string) => void,
): Promise<ImportOutcome> {
  // The build lock: a build or another import of the same image must not rename into place meanwhile.
  const lock = await acquireBuildLock(`${finalDir}.lock`, async () => false, () => progress(`waiting for another process building or importing ${path.basename(finalDir)}`));
  try {
    const present = await readFile(path.join(finalDir, IMAGE_FILES.manifest)).catch(() => undefined);
    const incoming = await readFile(path.join(unpacked, IMAGE_FILES.manifest));
    if (present?.equals(incoming)) return { kind: 'already-there', dir: finalDir, addedBases: await addMissingBases(unpacked, finalDir, entries) };
    // Only now: read-only directories in a temp dir that is then thrown away would stop a user who
    // is not root from removing it.
    await applyModes(unpacked, entries);
    const occupied = await stat(finalDir).then(() => true, () => false);
    // The old image goes aside first (a name the sweep knows), so the new one appears in one rename.
    const aside = occupied ? await mkdtemp(path.join(root, `${IMPORT_PREFIX}${process.pid}-old-`)) : undefined;
    if (aside) await rename(finalDir, path.join(aside, 'image'));
    await rename(unpacked, finalDir);
    if (aside) await rm(aside, { recursive: true, force: true });
    return { kind: present ? 'replaced' : 'imported', dir: finalDir };
  } finally {
    await lock?.release();
  }
}

export async function importImageArchive(opts: {
  file: string;
  arch: GuestArch;
  cacheDir: string;
  progress: (line: string) => void;
}): Promise<ImportOutcome> {
  const root = imagesRoot(opts.cacheDir);
  await mkdir(root, { recursive: true });
  await sweepDeadImports(opts.cacheDir);
  const temp = await mkdtemp(path.join(root, `${IMPORT_PREFIX}${process.pid}-`));
  try {
    opts.progress(`unpacking ${opts.file}`);
    await unpack(opts.file, temp);
    opts.progress('checking every sha256 against contents.json');
    const { manifest, entries } = await verify(temp, opts.arch);
    await rm(path.join(temp, CONTENTS_MEMBER));
    return await place(temp, entries, imageDir(opts.cacheDir, opts.arch, manifest.recipeHash), root, opts.progress);
  } catch (error) {
    if (error instanceof ArchiveProblem) throw new ImageArchiveError(`image archive ${opts.file}: ${error.message}`);
    if (isFilesystemError(error)) throw new ImageArchiveError(`cannot import ${opts.file}: ${firstLine(error)}`);
    throw error;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
