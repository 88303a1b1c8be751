/**
 * What the disk cases do inside the guest, as busybox shell commands: fill, write, read back, and
 * read the filesystem's numbers. Every fill and write ends with `sync`, so what the host measures
 * afterwards is on the disk, not in the guest's page cache.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { describeExecResult, execOk, pollUntil } from '../../harness/assert/index.ts';
import { deadlineMs } from '../../harness/config/constants.ts';
import { DISK } from './limits.ts';
import { ROOTFS_PATHS } from '../../harness/config/guest-paths.ts';
import type { ExecResult, Sandbox } from '../../harness/contract/sandbox.ts';

export const MIB = 1024 * 1024;
export const FILL = '/fill';
/** A file the image ships on `/`: reading it back after a fill must not need free space. */
export const PRE_EXISTING_FILE = `/${ROOTFS_PATHS.release}`;
/** The scratch disk (DiskOptions.scratchMiB) is the guest's second virtio disk. */
export const SCRATCH_DEVICE = '/dev/vdb';

export interface WriteOutcome {
  result: ExecResult;
  /** Size of the written file afterwards. */
  bytes: number;
  /** Host round trip of the write and its sync. */
  durationMs: number;
}

/** A fill, with the numbers of its filesystem as the fill left them. */
export interface FillOutcome extends WriteOutcome {
  usage: FilesystemUsage;
}

/** Guest-side kill timeout of one fill or writer: one still running then has hung. */
export function fillTimeoutSeconds(sandbox: Sandbox): number {
  return Math.ceil(deadlineMs(DISK.fillTimeoutMs, sandbox.accelerator) / 1000);
}

/**
 * dd from /dev/zero until the filesystem is full; the exit and stderr are dd's own. The numbers of the
 * filesystem come in the same reply: an agent that needs disk space to take a request serves none once the disk is
 * full, and what the case claims about that must be the first request to meet it.
 */
export async function fillUntilFull(sandbox: Sandbox, file = FILL): Promise<FillOutcome> {
  const write = await timedWrite(sandbox, file, `dd if=/dev/zero of=${file} bs=1M`, `stat -f -c '${STATFS_FORMAT}' ${file}`);
  return { ...write, usage: parseUsage(write.result.stdout.toString().split('\n')[1] ?? '') };
}

/** Writes `mib` MiB (zeros unless a source is given); the exit and stderr are dd's own. */
export function writeMiB(sandbox: Sandbox, file: string, mib: number, source = '/dev/zero'): Promise<WriteOutcome> {
  // fullblock: a short read from the source must not make a short file.
  return timedWrite(sandbox, file, `dd if=${source} of=${file} bs=1M count=${mib} iflag=fullblock`);
}

/** Runs `dd`, syncs, prints the file's size, then what `after` prints; the exit is dd's. */
async function timedWrite(sandbox: Sandbox, file: string, dd: string, after = ':'): Promise<WriteOutcome> {
  const result = await sandbox.exec(`${dd}; rc=$?; sync; stat -c %s ${file} 2>/dev/null || echo 0; ${after}; exit $rc`, {
    timeoutSeconds: fillTimeoutSeconds(sandbox),
  });
  return { result, bytes: Number(result.stdout.toString().split('\n')[0]), durationMs: result.durationMs };
}

export interface FilesystemUsage {
  totalBytes: number;
  /** Free for root (ext4's reserve included). */
  freeBytes: number;
  /** Free for unprivileged users: what df calls Available. */
  availableBytes: number;
  totalInodes: number;
  freeInodes: number;
}

/** What `stat -f -c` prints for parseUsage. */
export const STATFS_FORMAT = '%S %b %f %a %c %d';

export function parseUsage(line: string): FilesystemUsage {
  const [blockSize, blocks, free, available, totalInodes, freeInodes] = line.trim().split(/\s+/).map(Number) as [number, number, number, number, number, number];
  return { totalBytes: blocks * blockSize, freeBytes: free * blockSize, availableBytes: available * blockSize, totalInodes, freeInodes };
}

export async function filesystemUsage(sandbox: Sandbox, mountPoint = '/'): Promise<FilesystemUsage> {
  return parseUsage(await execOk(sandbox, `sync; stat -f -c '${STATFS_FORMAT}' ${mountPoint}`, { what: `statfs of ${mountPoint}` }));
}

export interface Mount {
  device: string;
  type: string;
  /** The device is a block device of the guest (not a share of a host directory). */
  isBlockDevice: boolean;
}

export async function mountOf(sandbox: Sandbox, mountPoint: string): Promise<Mount> {
  // The last entry for the mount point is the one on top, the one a path there resolves to.
  const text = await execOk(
    sandbox,
    `set -- $(awk '$2 == "${mountPoint}" { d = $1; t = $3 } END { print d, t }' /proc/mounts); [ -b "$1" ] && echo "$1 $2 block" || echo "$1 $2 other"`,
    { what: `mount of ${mountPoint}` },
  );
  const [device = '', type = '', kind] = text.trim().split(' ');
  return { device, type, isBlockDevice: kind === 'block' };
}

/** Writes a random token to `file` (synced) and returns it, to read back later. */
export async function writeToken(sandbox: Sandbox, file: string): Promise<string> {
  const token = randomBytes(16).toString('hex');
  await execOk(sandbox, `echo ${token} > ${file} && sync`, { what: `writing ${file}` });
  return token;
}

export async function readText(sandbox: Sandbox, file: string): Promise<string> {
  return (await execOk(sandbox, `cat ${file}`, { what: `reading ${file}` })).trim();
}

export async function fileSize(sandbox: Sandbox, file: string): Promise<number> {
  const size = await fileSizeIfPresent(sandbox, file);
  if (size === undefined) throw new Error(`size of ${file}: no such file`);
  return size;
}

/** Size of `file`, or undefined when there is none: a case that expects a file to persist says so itself. */
export async function fileSizeIfPresent(sandbox: Sandbox, file: string): Promise<number | undefined> {
  const text = (await execOk(sandbox, `if [ -e ${file} ]; then stat -c %s ${file}; fi`, { what: `size of ${file}` })).trim();
  return text === '' ? undefined : Number(text);
}

export async function expectFileReadable(sandbox: Sandbox, file: string): Promise<void> {
  expect(await readText(sandbox, file), `${file} reads back non-empty`).not.toBe('');
}

/**
 * The tmpfs /tmp is a pool of its own: a full root disk must not stop writes there. As large as the
 * root disk's write probe: a fill with 1 MiB writes leaves root a few hundred KiB (ext4 keeps blocks
 * back for its metadata), so a token-sized write would pass with /tmp on the full disk itself.
 */
export async function expectTmpfsWritable(sandbox: Sandbox): Promise<void> {
  const probe = '/tmp/tmpfs-probe';
  expectWritten(await writeMiB(sandbox, probe, DISK.probeWriteMiB), probe, DISK.probeWriteMiB);
}

/** The write succeeded and is complete. */
export function expectWritten(write: WriteOutcome, file: string, mib: number): WriteOutcome {
  expect(write.result.exitCode, `writing ${mib} MiB to ${file}: ${describeExecResult(write.result)}`).toBe(0);
  expect(write.bytes, `${file} is complete`).toBe(mib * MIB);
  return write;
}

/**
 * A write that needs fresh blocks on `/` completes within the writers' deadline and is whole. A write
 * that never ends (starved, or its VM stopped) is this claim failing, not a guest that did not answer.
 */
export async function expectRootWritable(sandbox: Sandbox, file = '/write-probe'): Promise<void> {
  const deadline = deadlineMs(DISK.fillTimeoutMs, sandbox.accelerator);
  const write = await pollUntil(() => writeMiB(sandbox, file, DISK.probeWriteMiB), () => true, {
    timeoutMs: deadline,
    attemptTimeoutMs: deadline,
    what: `a ${DISK.probeWriteMiB} MiB write to ${file} ending`,
  });
  expectWritten(write, file, DISK.probeWriteMiB);
}

/** sha256 of each file, read from the disk rather than the guest's page cache. */
export async function checksums(sandbox: Sandbox, files: readonly string[]): Promise<Record<string, string>> {
  const text = await execOk(sandbox, `sync; echo 3 > /proc/sys/vm/drop_caches; sha256sum ${files.join(' ')}`, { what: 'checksums' });
  return Object.fromEntries(text.trim().split('\n').map((line) => line.split(/\s+/).reverse() as [string, string]));
}
