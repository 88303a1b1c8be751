/**
 * The disk cases as check functions: each throws when the behaviour is broken, at the named claim
 * (`holds`) that broke. The suite runs them on healthy VMs; the fault tests run them on broken ones (no
 * discard, an oversized root disk, an overlay left behind on destroy) and expect the claim they name to fail.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import {
  describeExecResult,
  dirAllocatedBytes,
  ENOSPC_TEXT,
  execOk,
  expectAlive,
  expectEnospc,
  expectReleasedWithin,
  expectWithin,
  holds,
  isEnospc,
  longestProgressGap,
  pollUntil,
} from '../../harness/assert/index.ts';
import { deadlineMs } from '../../harness/config/constants.ts';
import { DISK } from './limits.ts';
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import type { MakeVm } from '../../harness/vitest/vm-test.ts';
import { boundedAll } from '../../harness/host/budget.ts';
import { withHostDir } from '../../harness/host/host-dir.ts';
import { smallFilesystemUnavailable, withSmallFilesystem } from '../../harness/host/small-filesystem.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import type { DiskOptions, Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import {
  checksums,
  expectFileReadable,
  expectRootWritable,
  expectTmpfsWritable,
  expectWritten,
  FILL,
  fileSize,
  fileSizeIfPresent,
  filesystemUsage,
  type FilesystemUsage,
  fillTimeoutSeconds,
  fillUntilFull,
  MIB,
  mountOf,
  parseUsage,
  PRE_EXISTING_FILE,
  readText,
  SCRATCH_DEVICE,
  STATFS_FORMAT,
  writeMiB,
  writeToken,
} from './guest-disk.ts';
import { recordFootprint, recordThroughput } from './measurements.ts';

/** A VM as the disk cases boot it: the small root disk the catalogue allows, plus what the case needs. */
export function diskVm(disk: DiskOptions = {}, faults: Fault[] = []): Partial<SandboxSpec> {
  return { disk: { rootfsMiB: DISK.rootfsMiB, ...disk }, ...(faults.length > 0 ? { faults } : {}) };
}

interface Filled {
  /** Size of the fill file. */
  bytes: number;
  /** The VM's host footprint once it is full. */
  footprint: number;
  /** The numbers of `/` as the fill left them. */
  usage: FilesystemUsage;
}

/** Fills `/` until ENOSPC, recording the guest's throughput and the host footprint it left. */
async function fillRootfs(sandbox: Sandbox, recorder: CaseRecorder, step = 'fill'): Promise<Filled> {
  const fill = await fillUntilFull(sandbox);
  expectEnospc(fill.result, `dd filling ${FILL}`);
  recordThroughput(recorder, step, fill);
  return { bytes: fill.bytes, footprint: await recordFootprint(recorder, step, sandbox), usage: fill.usage };
}

export async function checkRootfsBoundedIsolatedSurvivesFill(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const root = await mountOf(sandbox, '/');
  const usage = await filesystemUsage(sandbox);
  await holds('rootfs-bounded-isolated-survives-fill/own-bounded-disk', () => {
    expect(root.type, '/ is an ext4 filesystem').toBe('ext4');
    expect(root.isBlockDevice, `/ is on a block device of the VM (${root.device}), not a host share`).toBe(true);
    expectWithin(usage.totalBytes / MIB, DISK.rootfsMinMiB, DISK.rootfsMaxMiB, 'size of /, the VM\'s own bounded disk', 'MiB');
  });
  await fillRootfs(sandbox, recorder);
  await holds('rootfs-bounded-isolated-survives-fill/alive', () => expectAlive(sandbox));
  await holds('rootfs-bounded-isolated-survives-fill/old-file-readable', () => expectFileReadable(sandbox, PRE_EXISTING_FILE));
  await holds('rootfs-bounded-isolated-survives-fill/tmpfs-writable', () => expectTmpfsWritable(sandbox));
}

export async function checkConcurrentWritersEnospc(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const files = Array.from({ length: DISK.concurrentWriters }, (_, index) => `/writer-${index + 1}`);
  const writes = await boundedAll(files, files.length, (file) => fillUntilFull(sandbox, file));
  recorder.metric('bytes written by all writers', Math.round(writes.reduce((sum, write) => sum + write.bytes, 0) / MIB), 'MiB');
  await recordFootprint(recorder, 'the writers', sandbox);
  const notEnospc = writes.flatMap((write, index) => (isEnospc(write.result) ? [] : [`${files[index]}: ${describeExecResult(write.result)}`]));
  // The writers that did not are named in the message too: a list of long strings prints there as `[ …(6) ]`.
  await holds('concurrent-writers-enospc/every-writer-enospc', () =>
    expect(notEnospc, `every writer ends with ENOSPC ("${ENOSPC_TEXT}", non-zero exit, not timed out); not so: ${notEnospc.join('; ')}`).toEqual([]),
  );
  await holds('concurrent-writers-enospc/alive', () => expectAlive(sandbox));
}

export async function checkTwoVmsIsolated(victim: Sandbox, bystander: Sandbox, recorder: CaseRecorder): Promise<void> {
  await expectAlive(bystander);
  const before = await filesystemUsage(bystander);
  await fillRootfs(victim, recorder, 'victim fill');
  const after = await filesystemUsage(bystander);
  await holds('two-vms-isolated/bystander-free-bytes-unchanged', () =>
    expect(after.freeBytes, "the idle bystander's free space on / is unchanged by the victim's fill").toBe(before.freeBytes),
  );
  await holds('two-vms-isolated/bystander-writable', () => expectRootWritable(bystander));
  await holds('two-vms-isolated/bystander-alive', () => expectAlive(bystander));
}

const APPENDER_LOG = '/appender.log';
/** The bystander's clock (seconds since boot), read the same way the appender reads it. */
const GUEST_CLOCK = 'read up _ </proc/uptime; echo $up';

export async function checkBystanderProgressDuringPeerFill(peer: Sandbox, bystander: Sandbox, recorder: CaseRecorder): Promise<void> {
  // Each append logs the bystander's own clock, so progress is judged from when the appends happened,
  // not from when the host happened to look. In the background with every stream away from the
  // exec's pipes, so the exec returns while it runs.
  await execOk(
    bystander,
    `sh -c 'while :; do ${GUEST_CLOCK} >> ${APPENDER_LOG}; sync; sleep ${DISK.appenderPeriodSeconds}; done' </dev/null >/dev/null 2>&1 &`,
    { what: 'starting the appender' },
  );
  const appendsSoFar = async () => Number((await execOk(bystander, `cat ${APPENDER_LOG} 2>/dev/null | wc -l`, { what: 'counting appends' })).trim());
  await pollUntil(appendsSoFar, (count) => count > 0, {
    timeoutMs: deadlineMs(DISK.appenderStartDeadlineMs, bystander.accelerator),
    what: 'the first append of the bystander',
  });
  const clock = async () => Number((await execOk(bystander, GUEST_CLOCK, { what: "the bystander's clock" })).trim());
  const fillStart = await clock();
  // The gap is measured inside the window, so it can never exceed it: the peer fills again (after
  // removing its fill) until the window is several times the bound, or a frozen bystander would pass
  // wherever one fill is quick.
  let fillEnd = fillStart;
  for (let fills = 1; fillEnd - fillStart < DISK.minPeerBusySeconds; fills++) {
    if (fills > 1) await execOk(peer, `rm ${FILL} && sync`, { what: 'removing the peer\'s fill to fill again' });
    await fillRootfs(peer, recorder, `peer fill ${fills}`);
    fillEnd = await clock();
  }
  const appends = (await execOk(bystander, `cat ${APPENDER_LOG}`, { what: 'reading the appends' })).trim().split('\n').map(Number);
  recorder.series(
    'bystander appends during the peer fill',
    'appends',
    appends.filter((time) => time >= fillStart && time <= fillEnd).map((time, index) => ({ atMs: Math.round((time - fillStart) * 1000), value: index + 1 })),
  );
  const gap = longestProgressGap(appends, fillStart, fillEnd);
  recorder.metric('longest pause of the bystander during the peer fill', Math.round(gap.longest * 1000), 'ms');
  await holds('bystander-progress-during-peer-fill/longest-pause-bounded', () =>
    expect(
      Math.round(gap.longest * 1000),
      `the bystander's longest pause between appends while the peer filled (${gap.steps} appends in ${(fillEnd - fillStart).toFixed(2)} s; ` +
        `the pause began ${(gap.from - fillStart).toFixed(2)} s into the fill), in ms`,
    ).toBeLessThanOrEqual(DISK.maxAppendGapMs),
  );
}

const OLD_FILE = '/old-file';

/**
 * Creates empty files (a shell builtin each, no fork) until the inode table is full. The table must be
 * the small one the inode cases ask for (DiskOptions.rootfsInodes): with mkfs's default, 16 times as
 * many files fill a loop that then outlasts its deadline or, on a faster host, still passes without
 * testing the size the spec asked for.
 */
async function exhaustInodes(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  // The numbers of / come in the loop's own reply, as a fill's do (fillUntilFull).
  const result = await sandbox.exec(
    `mkdir -p /inodes && i=0; while true > /inodes/f$i; do i=$((i + 1)); done; echo $i; sync; stat -f -c '${STATFS_FORMAT}' /; exit 1`,
    { timeoutSeconds: fillTimeoutSeconds(sandbox) },
  );
  expectEnospc(result, 'creating empty files until none can be created');
  const [created = '', statfs = ''] = result.stdout.toString().split('\n');
  recorder.metric('files created before ENOSPC', Number(created), 'files');
  const usage = parseUsage(statfs);
  expect(usage.freeInodes, 'free inodes on / (it was the inode table that ran out)').toBe(0);
  expect(usage.freeBytes / MIB, 'free space on / once the inodes ran out (the blocks did not), in MiB').toBeGreaterThan(DISK.probeWriteMiB);
}

/** The inode table of `/`, against the small one the inode cases' spec asks for. */
const INODE_TABLE_WHAT = "inodes of /, the small inode table the case's spec asks for";

export async function checkInodeExhaustionSurvives(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const { totalInodes } = await filesystemUsage(sandbox);
  await holds('inode-exhaustion-survives/spec-inode-table', () => expect(totalInodes, INODE_TABLE_WHAT).toBe(DISK.rootfsInodes));
  const token = await writeToken(sandbox, OLD_FILE);
  await exhaustInodes(sandbox, recorder);
  await holds('inode-exhaustion-survives/alive', () => expectAlive(sandbox));
  const old = await readText(sandbox, OLD_FILE);
  await holds('inode-exhaustion-survives/old-files-readable', async () => {
    expect(old, 'a file written before the inodes ran out').toBe(token);
    await expectFileReadable(sandbox, PRE_EXISTING_FILE);
  });
}

export async function checkInodeExhaustionAppendExisting(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const { totalInodes } = await filesystemUsage(sandbox);
  await holds('inode-exhaustion-append-existing/spec-inode-table', () => expect(totalInodes, INODE_TABLE_WHAT).toBe(DISK.rootfsInodes));
  await writeToken(sandbox, OLD_FILE);
  const sizeBefore = await fileSize(sandbox, OLD_FILE);
  await exhaustInodes(sandbox, recorder);
  // Big enough to need fresh blocks, which are free: only the inodes ran out.
  const append = await sandbox.exec(`dd if=/dev/zero bs=1M count=${DISK.probeWriteMiB} >> ${OLD_FILE} && sync`);
  const sizeAfter = await fileSize(sandbox, OLD_FILE);
  await holds('inode-exhaustion-append-existing/append-succeeds', () => {
    expect(append.exitCode, `appending ${DISK.probeWriteMiB} MiB to ${OLD_FILE}: ${describeExecResult(append)}`).toBe(0);
    expect(sizeAfter, `${OLD_FILE} grew by the appended ${DISK.probeWriteMiB} MiB`).toBe(sizeBefore + DISK.probeWriteMiB * MIB);
  });
}

export async function checkRestartWithFullRootfs(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const filled = await fillRootfs(sandbox, recorder);
  await sandbox.stop();
  await sandbox.start();
  const size = await fileSizeIfPresent(sandbox, FILL);
  await holds('restart-with-full-rootfs/fill-persists', () => expect(size, `${FILL} persists across the restart (its size, undefined: gone)`).toBe(filled.bytes));
  const write = await writeMiB(sandbox, '/after-restart', DISK.probeWriteMiB);
  await holds('restart-with-full-rootfs/still-full', () => expect(isEnospc(write.result), `a new write after the restart ends with ENOSPC: ${describeExecResult(write.result)}`).toBe(true));
  await holds('restart-with-full-rootfs/alive', () => expectAlive(sandbox));
}

export async function checkRmAfterFillRecovers(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const before = await filesystemUsage(sandbox);
  const { usage: full } = await fillRootfs(sandbox, recorder);
  expect(full.availableBytes, 'Available on / after the fill (100% full)').toBe(0);
  const rm = await sandbox.exec(`rm ${FILL}`);
  await recordFootprint(recorder, 'rm', sandbox);
  const after = await filesystemUsage(sandbox);
  const tolerance = DISK.availableRecoveryToleranceMiB;
  const beforeMiB = before.availableBytes / MIB;
  await holds('rm-after-fill-recovers/space-recovers', () => {
    expect(rm.exitCode, `rm on a full /: ${describeExecResult(rm)}`).toBe(0);
    expectWithin(after.availableBytes / MIB, beforeMiB - tolerance, beforeMiB + tolerance, 'Available on / after rm, against before the fill', 'MiB');
  });
  await holds('rm-after-fill-recovers/writable', () => expectRootWritable(sandbox));
}

export async function checkFillDeleteCycles(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const startedAt = performance.now();
  const footprint: Array<{ atMs: number; value: number }> = [];
  const add = (bytes: number) => footprint.push({ atMs: Math.round(performance.now() - startedAt), value: Math.round(bytes / MIB) });
  add((await sandbox.hostFootprint()).totalBytes);
  for (let cycle = 1; cycle <= DISK.fillDeleteCycles; cycle++) {
    add((await fillRootfs(sandbox, recorder, `fill ${cycle}`)).footprint);
    // The first request after each fill, so an agent a full disk stopped meets the claim here.
    await holds('fill-delete-cycles/agent-healthy', () => expectAlive(sandbox));
    await execOk(sandbox, `rm ${FILL} && sync`, { what: `rm in cycle ${cycle}` });
    add(await recordFootprint(recorder, `rm ${cycle}`, sandbox));
  }
  recorder.series('host footprint across fill/delete cycles', 'MiB', footprint);
  await holds('fill-delete-cycles/agent-healthy', () => expectAlive(sandbox));
  await holds('fill-delete-cycles/reads-healthy', () => expectFileReadable(sandbox, PRE_EXISTING_FILE));
  await holds('fill-delete-cycles/writes-healthy', () => expectRootWritable(sandbox));
  await holds('fill-delete-cycles/tmpfs-healthy', () => expectTmpfsWritable(sandbox));
}

/** `runDir`: the run's directory, under which the VM's disk directory is made (the vm fixture's `run.runDir`). */
export async function checkDestroyReleasesHostSpace(boot: MakeVm<[overlayDir: string]>, runDir: string, recorder: CaseRecorder): Promise<void> {
  await withHostDir(runDir, 'destroy', async (dir) => {
    const sandbox = await boot(dir);
    const before = await dirAllocatedBytes(dir);
    await fillRootfs(sandbox, recorder);
    const grown = await dirAllocatedBytes(dir);
    // The after-each check cannot see these disks once they are gone: check them now.
    await expectImagesConsistent([sandbox]);
    await sandbox.destroy();
    const after = await holds('destroy-releases-host-space/released', () =>
      expectReleasedWithin(() => dirAllocatedBytes(dir), {
        before,
        grown,
        fraction: DISK.destroyReleasedFraction,
        windowMs: DISK.destroyReleaseWindowMs,
        what: "the destroyed VM's disk directory on the host",
      }),
    );
    recorder.metric('host footprint after destroy', Math.round(after / MIB), 'MiB');
  });
}

export async function checkFillDeleteFillNoDouble(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const write = async (step: string) => {
    recordThroughput(recorder, step, expectWritten(await writeMiB(sandbox, FILL, DISK.refillMiB), FILL, DISK.refillMiB));
    return recordFootprint(recorder, step, sandbox);
  };
  const first = await write('first fill');
  await execOk(sandbox, `rm ${FILL} && sync`, { what: 'deleting the fill' });
  await recordFootprint(recorder, 'delete', sandbox);
  const second = await write('second fill');
  const limit = first * DISK.maxRefillGrowth;
  await holds('fill-delete-fill-no-double/no-double', () =>
    expect(
      second,
      `host footprint after the second fill (${(second / MIB).toFixed(1)} MiB) below ${DISK.maxRefillGrowth} × after the first (${(first / MIB).toFixed(1)} MiB): ` +
        'deleted blocks must be discarded all the way to the host file',
    ).toBeLessThan(limit),
  );
}

export async function checkDeletedFilesReclaimedOnHost(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const footprint = async () => (await sandbox.hostFootprint()).totalBytes;
  const before = await footprint();
  const { footprint: grown } = await fillRootfs(sandbox, recorder);
  // No sync and no fstrim: the guest's own journal commit must carry the discard to the host.
  await execOk(sandbox, `rm ${FILL}`, { what: 'deleting the fill' });
  const after = await holds('deleted-files-reclaimed-on-host/reclaimed', () =>
    expectReleasedWithin(footprint, {
      before,
      grown,
      fraction: DISK.deleteReclaimedFraction,
      windowMs: DISK.deleteReclaimWindowMs,
      what: "the VM's host footprint after the guest deleted its fill",
    }),
  );
  recorder.metric('host footprint after delete', Math.round(after / MIB), 'MiB');
}

export async function checkHostUploadEnospc(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const reserve = '/reserve';
  expectWritten(await writeMiB(sandbox, reserve, DISK.uploadFreeMiB), reserve, DISK.uploadFreeMiB);
  await fillRootfs(sandbox, recorder);
  await execOk(sandbox, `rm ${reserve} && sync`, { what: `freeing ${reserve}` });
  const free = (await filesystemUsage(sandbox)).freeBytes;
  const size = free + DISK.uploadExcessMiB * MIB;
  recorder.metric('upload size', Math.round(size / MIB), 'MiB');
  const failure = await sandbox.upload('/upload', randomBytes(size)).then(
    () => undefined,
    (error: Error) => error,
  );
  await holds('host-upload-enospc/upload-fails-no-space', () => {
    expect(failure, `an upload of ${size} bytes with ${free} free on / fails`).toBeInstanceOf(Error);
    expect(failure!.message, 'the upload error says the disk is full').toContain(ENOSPC_TEXT);
  });
  await holds('host-upload-enospc/alive', () => expectAlive(sandbox));
}

export async function checkDiscardZeroes(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const pattern = '\\245';
  const footprint = async () => (await sandbox.hostFootprint()).totalBytes;
  await execOk(
    sandbox,
    `tr '\\000' '${pattern}' < /dev/zero | dd of=${SCRATCH_DEVICE} bs=1M count=${DISK.scratchMiB} iflag=fullblock conv=fsync`,
    { what: `writing a pattern over ${SCRATCH_DEVICE}` },
  );
  const written = await recordFootprint(recorder, 'pattern write', sandbox);
  for (const { offsetMiB, lengthMiB } of DISK.discardRanges) {
    await execOk(sandbox, `blkdiscard -o ${offsetMiB * MIB} -l ${lengthMiB * MIB} ${SCRATCH_DEVICE}`, { what: `discarding ${lengthMiB} MiB at ${offsetMiB} MiB` });
  }
  // Bytes of a range that are not `byte`, read from the device rather than the page cache.
  const bytesOtherThan = async (byte: string, offsetMiB: number, lengthMiB: number) =>
    Number(
      await execOk(
        sandbox,
        `echo 3 > /proc/sys/vm/drop_caches; dd if=${SCRATCH_DEVICE} bs=1M skip=${offsetMiB} count=${lengthMiB} 2>/dev/null | tr -d '${byte}' | wc -c`,
        { what: `reading ${lengthMiB} MiB at ${offsetMiB} MiB` },
      ),
    );
  const nonZero: Array<MiBRange & { bytes: number }> = [];
  for (const { offsetMiB, lengthMiB } of DISK.discardRanges) nonZero.push({ offsetMiB, lengthMiB, bytes: await bytesOtherThan('\\000', offsetMiB, lengthMiB) });
  await holds('discard-zeroes/discarded-read-zero', () => {
    for (const range of nonZero) expect(range.bytes, `non-zero bytes in the discarded ${range.lengthMiB} MiB at ${range.offsetMiB} MiB`).toBe(0);
  });
  // Every byte not discarded, not only the range before the first discard: a discard that spills
  // over its end (or one range discarded for another) shows only past it.
  const changed: Array<MiBRange & { bytes: number }> = [];
  for (const { offsetMiB, lengthMiB } of keptRanges(DISK.scratchMiB, DISK.discardRanges)) changed.push({ offsetMiB, lengthMiB, bytes: await bytesOtherThan(pattern, offsetMiB, lengthMiB) });
  await holds('discard-zeroes/rest-intact', () => {
    for (const range of changed) expect(range.bytes, `bytes changed in the ${range.lengthMiB} MiB at ${range.offsetMiB} MiB, which was not discarded`).toBe(0);
  });
  const discarded = DISK.discardRanges.reduce((sum, range) => sum + range.lengthMiB * MIB, 0);
  const after = await holds('discard-zeroes/host-allocation-shrinks', () =>
    expectReleasedWithin(footprint, {
      before: written - discarded,
      grown: written,
      fraction: DISK.discardReclaimedFraction,
      windowMs: DISK.deleteReclaimWindowMs,
      what: `the scratch disk's host allocation after discarding ${discarded / MIB} MiB`,
    }),
  );
  recorder.metric('host footprint after discard', Math.round(after / MIB), 'MiB');
}

interface MiBRange {
  offsetMiB: number;
  lengthMiB: number;
}

/** The parts of a disk of `sizeMiB` outside the (sorted, disjoint) discarded ranges. */
export function keptRanges(sizeMiB: number, discarded: readonly MiBRange[]): MiBRange[] {
  const kept: MiBRange[] = [];
  let from = 0;
  for (const range of discarded) {
    if (range.offsetMiB > from) kept.push({ offsetMiB: from, lengthMiB: range.offsetMiB - from });
    from = range.offsetMiB + range.lengthMiB;
  }
  if (sizeMiB > from) kept.push({ offsetMiB: from, lengthMiB: sizeMiB - from });
  return kept;
}

export async function checkImageConsistency(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  await execOk(
    sandbox,
    'mkdir /churn && for i in 1 2 3 4 5 6 7 8; do dd if=/dev/urandom of=/churn/$i bs=64k count=16 2>/dev/null; done && ' +
      'rm /churn/2 /churn/4 /churn/6 && sync && fstrim / && dd if=/dev/zero of=/churn/9 bs=1M count=16 2>/dev/null && sync',
    { what: 'writing, deleting and trimming files' },
  );
  await recordFootprint(recorder, 'churn', sandbox);
  await holds('image-consistency/images-consistent', () => expectImagesConsistent([sandbox]));
  // Once more from a stopped VM: the image must be consistent on disk, not only in the VMM's caches.
  await sandbox.stop();
  await holds('image-consistency/images-consistent', () => expectImagesConsistent([sandbox]));
}

/** The runtime's disk image check of every disk of every VM still there. */
export async function expectImagesConsistent(sandboxes: readonly Sandbox[]): Promise<void> {
  const present = sandboxes.filter((sandbox) => sandbox.state !== 'destroyed');
  const checks = (await Promise.all(present.map((sandbox) => sandbox.checkDiskConsistency()))).flat();
  const damaged = checks.filter((check) => check.errors > 0);
  const summary = damaged.map((check) => `${check.file}: ${check.errors} error(s), first: ${firstErrorLine(check.report)}`).join('; ');
  expect(
    damaged.map((check) => `${check.file}: ${check.report}`),
    `disk images with errors (${summary})`,
  ).toEqual([]);
}

/** The checker's first line that names an error, else its first line. */
function firstErrorLine(report: string): string {
  const lines = report.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /^(ERROR|Leaked|.*error)/i.test(line) && !line.startsWith('"')) ?? lines[0] ?? '';
}

const KEPT_FILES = Array.from({ length: DISK.keptFiles }, (_, index) => `/kept-${index + 1}`);
const OVERFLOW = '/overflow';

/** How the host's storage under the VM runs full and gets space back. */
interface HostStorage {
  /** Said in failure messages: which way the host ran out of space. */
  how: string;
  runFull(): Promise<void>;
  freeSpace(): Promise<void>;
}

/**
 * Where this host can mount a small filesystem (root on Linux), the VM's disks go on one and a ballast
 * file fills it: a real host filesystem runs full. Elsewhere the runtime makes its host storage refuse
 * writes for lack of space (Sandbox.setHostStorageFull): the VMM meets the same ENOSPC, and the case
 * runs for every user instead of skipping.
 */
export async function checkHostEnospcPausesNotCorrupts(boot: MakeVm<[disk: DiskOptions]>, runDir: string, recorder: CaseRecorder): Promise<void> {
  if (smallFilesystemUnavailable() !== undefined) {
    const sandbox = await boot({ hostStorageControl: true });
    await expectPauseNotCorruption(sandbox, recorder, {
      how: "the runtime's host storage made to refuse writes for lack of space",
      runFull: () => sandbox.setHostStorageFull(true),
      freeSpace: () => sandbox.setHostStorageFull(false),
    });
    return;
  }
  await withSmallFilesystem(runDir, DISK.hostFilesystemMiB, async (hostFs) => {
    const sandbox = await boot({ overlayDir: hostFs.dir });
    try {
      await expectPauseNotCorruption(sandbox, recorder, {
        how: `a ${DISK.hostFilesystemMiB} MiB host filesystem under the disk, filled by a ballast file`,
        runFull: async () => {
          await hostFs.placeBallast(Math.floor((await hostFs.freeBytes()) / MIB) - DISK.hostHeadroomMiB);
          recorder.metric('host free before the overflow', Math.round((await hostFs.freeBytes()) / MIB), 'MiB');
        },
        freeSpace: () => hostFs.removeBallast(),
      });
    } finally {
      // The small filesystem cannot be unmounted while the VMM holds its overlay open.
      await sandbox.destroy();
    }
  });
}

async function expectPauseNotCorruption(sandbox: Sandbox, recorder: CaseRecorder, host: HostStorage): Promise<void> {
  for (const file of KEPT_FILES) expectWritten(await writeMiB(sandbox, file, DISK.keptFileMiB, '/dev/urandom'), file, DISK.keptFileMiB);
  const written = await checksums(sandbox, KEPT_FILES);
  await host.runFull();

  const overflow = writeMiB(sandbox, OVERFLOW, DISK.hostOverflowMiB);
  // It only ends after the resume; if the case fails before that, its rejection must not go unhandled.
  overflow.catch(() => {});
  const pauseDeadline = deadlineMs(DISK.ioErrorPauseDeadlineMs, sandbox.accelerator);
  const ioError = await sandbox.waitForEvent('io-error', pauseDeadline);
  await holds('host-enospc-pauses-not-corrupts/pauses-on-no-space', async () => {
    expect(ioError.data, `the I/O error event: a write that found no space, and the VM stopped for it (host storage: ${host.how})`).toMatchObject({
      operation: 'write',
      action: 'pause',
      noSpace: true,
    });
    await sandbox.waitForEvent('paused', pauseDeadline);
    expect(sandbox.state, 'the VM after the host ran out of space').toBe('paused');
  });

  await host.freeSpace();
  await sandbox.resume();
  const overflowed = await overflow;
  const kept = await checksums(sandbox, KEPT_FILES);
  const kernelErrors = await execOk(sandbox, "dmesg | grep -c -E 'I/O error|EXT4-fs error' || true", { what: 'guest kernel log' });
  await holds('host-enospc-pauses-not-corrupts/data-intact', async () => {
    // Retried by the VMM after the resume, so the guest's write completes as if nothing happened.
    expectWritten(overflowed, OVERFLOW, DISK.hostOverflowMiB);
    expect(kept, 'files written before the host ran out of space').toEqual(written);
    expect(Number(kernelErrors.trim()), 'I/O errors the guest kernel saw (the VMM must pause, not fail the write)').toBe(0);
    await expectImagesConsistent([sandbox]);
  });
}
