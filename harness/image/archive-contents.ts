/**
 * contents.json of an image archive: every entry of the image directory with its sha256 (files),
 * target (symlinks) and mode. The image's manifest hashes only four artifacts; this list is what
 * lets an import refuse any changed, missing or extra file.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_FILES } from './cache-paths.ts';
import { sha256File } from './manifest.ts';

export const CONTENTS_MEMBER = 'contents.json';
const CONTENTS_FORMAT = 'microvm-gauntlet image archive 1';

export type ArchiveEntry =
  | { path: string; type: 'dir'; mode: string }
  | { path: string; type: 'file'; mode: string; sha256: string }
  | { path: string; type: 'symlink'; target: string };

export interface ArchiveContents {
  format: typeof CONTENTS_FORMAT;
  entries: ArchiveEntry[];
}

/** What is wrong with an archive, named by member; the caller adds which archive. */
export class ArchiveProblem extends Error {
  override name = 'ArchiveProblem';
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/**
 * Every entry below dir, parents before children, '/'-separated. `skip` leaves out names (and what is
 * under them) that are not part of the image, such as a rootfs base builder's temp dir.
 */
export async function describeTree(dir: string, skip: (rel: string) => boolean = () => false): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(path.join(dir, rel))).sort();
    for (const name of names) {
      const child = rel ? `${rel}/${name}` : name;
      if (skip(child)) continue;
      const full = path.join(dir, child);
      const info = await lstat(full);
      if (info.isDirectory()) {
        entries.push({ path: child, type: 'dir', mode: octal(info.mode) });
        await walk(child);
      } else if (info.isFile()) {
        entries.push({ path: child, type: 'file', mode: octal(info.mode), sha256: await sha256File(full) });
      } else if (info.isSymbolicLink()) {
        entries.push({ path: child, type: 'symlink', target: await readlink(full) });
      } else {
        throw new ArchiveProblem(`${child}: neither file, directory nor symlink`);
      }
    }
  }
  await walk('');
  return entries;
}

export function contentsOf(entries: ArchiveEntry[]): ArchiveContents {
  return { format: CONTENTS_FORMAT, entries };
}

/**
 * Symlinks belong in the guest's tree only, relative and inside it. Nothing on the host follows them
 * (mkfs.ext4 -d copies links as links), but a link elsewhere could make the VMM read a host file as the
 * kernel or a disk.
 */
export function symlinkProblem(member: string, target: string): string | undefined {
  const rootfs = `${IMAGE_FILES.rootfsTree}/`;
  if (!member.startsWith(rootfs)) return `${member}: symlink outside ${rootfs}`;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(member), target));
  if (path.posix.isAbsolute(target) || !resolved.startsWith(rootfs)) return `${member}: symlink to ${target} points outside ${rootfs}`;
  return undefined;
}

/** A member path that could land outside the directory it is unpacked into. */
export function pathProblem(member: string): string | undefined {
  if (path.posix.isAbsolute(member) || member.split('/').includes('..')) return `${member}: path escapes the image directory`;
  return undefined;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MODE = /^0[0-7]{1,4}$/;

function entryProblem(entry: unknown): string | undefined {
  const e = entry as Partial<Record<string, unknown>>;
  if (typeof e?.path !== 'string' || e.path === '') return 'an entry without a path';
  const bad = pathProblem(e.path);
  if (bad) return bad;
  if (e.type === 'dir') return typeof e.mode === 'string' && MODE.test(e.mode) ? undefined : `${e.path}: bad mode`;
  if (e.type === 'file') {
    if (typeof e.mode !== 'string' || !MODE.test(e.mode)) return `${e.path}: bad mode`;
    return typeof e.sha256 === 'string' && SHA256.test(e.sha256) ? undefined : `${e.path}: bad sha256`;
  }
  if (e.type === 'symlink') return typeof e.target === 'string' ? symlinkProblem(e.path, e.target) : `${e.path}: symlink without a target`;
  return `${e.path}: unknown entry type`;
}

export function parseContents(text: string): ArchiveContents {
  let parsed: Partial<ArchiveContents>;
  try {
    parsed = JSON.parse(text) as Partial<ArchiveContents>;
  } catch {
    throw new ArchiveProblem(`${CONTENTS_MEMBER}: not JSON`);
  }
  if (parsed?.format !== CONTENTS_FORMAT || !Array.isArray(parsed.entries)) {
    throw new ArchiveProblem(`${CONTENTS_MEMBER}: not a list of the format "${CONTENTS_FORMAT}"`);
  }
  const seen = new Set<string>();
  for (const entry of parsed.entries) {
    const problem = entryProblem(entry);
    if (problem) throw new ArchiveProblem(`${CONTENTS_MEMBER}: ${problem}`);
    if (seen.has(entry.path)) throw new ArchiveProblem(`${CONTENTS_MEMBER}: ${entry.path} listed twice`);
    seen.add(entry.path);
  }
  return parsed as ArchiveContents;
}

/**
 * The first way `actual` (a described tree) differs from the list, as "member: what", or undefined.
 * Modes are not compared: unpacking bends them (umask, tar keeps directories writable); the
 * import sets every mode from the list afterwards.
 */
export function firstDifference(listed: ArchiveEntry[], actual: ArchiveEntry[]): string | undefined {
  const found = new Map(actual.map((entry) => [entry.path, entry]));
  for (const want of listed) {
    const got = found.get(want.path);
    if (!got) return `${want.path}: missing`;
    found.delete(want.path);
    if (got.type !== want.type) return `${want.path}: a ${got.type} where the list has a ${want.type}`;
    if (want.type === 'file' && got.type === 'file' && got.sha256 !== want.sha256) return `${want.path}: sha256 mismatch`;
    if (want.type === 'symlink' && got.type === 'symlink' && got.target !== want.target) return `${want.path}: symlink target differs from the list`;
  }
  const extra = found.keys().next();
  return extra.done ? undefined : `${extra.value}: extra member, not in ${CONTENTS_MEMBER}`;
}
