/**
 * The disk cases as check functions: each throws when the behaviour is broken. The suite runs them on
 * healthy VMs; the fault tests run them on broken ones (no discard, an oversized root disk, an overlay
 * left behind on destroy) and expect them to throw.
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
  fillTimeoutSeconds,
  fillUntilFull,
  MIB,
  mountOf,
  PRE_EXISTING_FILE,
  readText,
  SCRATCH_DEVICE,
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
}

/** Fills `/` until ENOSPC, recording the guest's throughput and the host footprint it left. */
async function fillRootfs(sandbox: Sandbox, recorder: CaseRecorder, step = 'fill'): Promise<Filled> {
  const fill = await fillUntilFull(sandbox);
  expectEnospc(fill.result, `dd filling ${FILL}`);
  recordThroughput(recorder, step, fill);
  return { bytes: fill.bytes, footprint: await recordFootprint(recorder, step, sandbox) };
}

export async function checkRootfsBoundedIsolatedSurvivesFill(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const root = await mountOf(sandbox, '/');
  expect(root.type, '/ is an ext4 filesystem').toBe('ext4');
  expect(root.isBlockDevice, `/ is on a block device of the VM (${root.device}), not a host share`).toBe(true);
  const usage = await filesystemUsage(sandbox);
  expectWithin(usage.totalBytes / MIB, DISK.rootfsMinMiB, DISK.rootfsMaxMiB, 'size of /, the VM\'s own bounded disk', 'MiB');
  await fillRootfs(sandbox, recorder);
  await expectAlive(sandbox);
  await expectFileReadable(sandbox, PRE_EXISTING_FILE);
  await expectTmpfsWritable(sandbox);
}

export async function checkConcurrentWritersEnospc(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const files = Array.from({ length: DISK.concurrentWriters }, (_, index) => `/writer-${index + 1}`);
  const writes = await boundedAll(files, files.length, (file) => fillUntilFull(sandbox, file));
  recorder.metric('bytes written by all writers', Math.round(writes.reduce((sum, write) => sum + write.bytes, 0) / MIB), 'MiB');
  await recordFootprint(recorder, 'the writers', sandbox);
  const notEnospc = writes.flatMap((write, index) => (isEnospc(write.result) ? [] : [`${files[index]}: ${describeExecResult(write.result)}`]));
  // The writers that did not are named in the message too: a list of long strings prints there as `[ …(6) ]`.
  expect(notEnospc, `every writer ends with ENOSPC ("${ENOSPC_TEXT}", non-zero exit, not timed out); not so: ${notEnospc.join('; ')}`).toEqual([]);
  await expectAlive(sandbox);
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
  await fillRootfs(peer, recorder, 'peer fill');
  const fillEnd = await clock();
  const appends = (await execOk(bystander, `cat ${APPENDER_LOG}`, { what: 'reading the appends' })).trim().split('\n').map(Number);
  recorder.series(
    'bystander appends during the peer fill',
    'appends',
    appends.filter((time) => time >= fillStart && time <= fillEnd).map((time, index) => ({ atMs: Math.round((time - fillStart) * 1000), value: index + 1 })),
  );
  const gap = longestProgressGap(appends, fillStart, fillEnd);
  recorder.metric('longest pause of the bystander during the peer fill', Math.round(gap.longest * 1000), 'ms');
  expect(
    Math.round(gap.longest * 1000),
    `the bystander's longest pause between appends while the peer filled (${gap.steps} appends in ${(fillEnd - fillStart).toFixed(2)} s; ` +
      `the pause began ${(gap.from - fillStart).toFixed(2)} s into the fill), in ms`,
  ).toBeLessThanOrEqual(DISK.maxAppendGapMs);
}

const OLD_FILE = '/old-file';

/**
 * Creates empty files (a shell builtin each, no fork) until the inode table is full. The table must be
 * the small one the inode cases ask for (DiskOptions.rootfsInodes): with mkfs's default, 16 times as
 * many files fill a loop that then outlasts its deadline or, on a faster host, still passes without
 * testing the size the spec asked for.
 */
async function exhaustInodes(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  expect((await filesystemUsage(sandbox)).totalInodes, "inodes of /, the small inode table the case's spec asks for").toBe(DISK.rootfsInodes);
  const result = await sandbox.exec(`mkdir -p /inodes && i=0; while true > /inodes/f$i; do i=$((i + 1)); done; echo $i; exit 1`, {
    timeoutSeconds: fillTimeoutSeconds(sandbox),
  });
  expectEnospc(result, 'creating empty files until none can be created');
  recorder.metric('files created before ENOSPC', Number(result.stdout.toString().trim()), 'files');
  const usage = await filesystemUsage(sandbox);
  expect(usage.freeInodes, 'free inodes on / (it was the inode table that ran out)').toBe(0);
  expect(usage.freeBytes / MIB, 'free space on / once the inodes ran out (the blocks did not), in MiB').toBeGreaterThan(DISK.probeWriteMiB);
}

export async function checkInodeExhaustionSurvives(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const token = await writeToken(sandbox, OLD_FILE);
  await exhaustInodes(sandbox, recorder);
  await expectAlive(sandbox);
  expect(await readText(sandbox, OLD_FILE), 'a file written before the inodes ran out').toBe(token);
  await expectFileReadable(sandbox, PRE_EXISTING_FILE);
}

export async function checkInodeExhaustionAppendExisting(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  await writeToken(sandbox, OLD_FILE);
  const sizeBefore = await fileSize(sandbox, OLD_FILE);
  await exhaustInodes(sandbox, recorder);
  // Big enough to need fresh blocks, which are free: only the inodes ran out.
  await execOk(sandbox, `dd if=/dev/zero bs=1M count=${DISK.probeWriteMiB} >> ${OLD_FILE} && sync`, { what: `appending to ${OLD_FILE}` });
  expect(await fileSize(sandbox, OLD_FILE), `${OLD_FILE} grew by the appended ${DISK.probeWriteMiB} MiB`).toBe(sizeBefore + DISK.probeWriteMiB * MIB);
}

export async function checkRestartWithFullRootfs(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const filled = await fillRootfs(sandbox, recorder);
  await sandbox.stop();
  await sandbox.start();
  expect(await fileSizeIfPresent(sandbox, FILL), `${FILL} persists across the restart (its size, undefined: gone)`).toBe(filled.bytes);
  const write = await writeMiB(sandbox, '/after-restart', DISK.probeWriteMiB);
  expectEnospc(write.result, 'a new write after the restart');
  await expectAlive(sandbox);
}

export async function checkRmAfterFillRecovers(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const before = await filesystemUsage(sandbox);
  await fillRootfs(sandbox, recorder);
  expect((await filesystemUsage(sandbox)).availableBytes, 'Available on / after the fill (100% full)').toBe(0);
  await execOk(sandbox, `rm ${FILL}`, { what: `rm on a full /` });
  await recordFootprint(recorder, 'rm', sandbox);
  const after = await filesystemUsage(sandbox);
  const tolerance = DISK.availableRecoveryToleranceMiB;
  const beforeMiB = before.availableBytes / MIB;
  expectWithin(after.availableBytes / MIB, beforeMiB - tolerance, beforeMiB + tolerance, 'Available on / after rm, against before the fill', 'MiB');
  await expectRootWritable(sandbox);
}

export async function checkFillDeleteCycles(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const startedAt = performance.now();
  const footprint: Array<{ atMs: number; value: number }> = [];
  const add = (bytes: number) => footprint.push({ atMs: Math.round(performance.now() - startedAt), value: Math.round(bytes / MIB) });
  add((await sandbox.hostFootprint()).totalBytes);
  for (let cycle = 1; cycle <= DISK.fillDeleteCycles; cycle++) {
    add((await fillRootfs(sandbox, recorder, `fill ${cycle}`)).footprint);
    await execOk(sandbox, `rm ${FILL} && sync`, { what: `rm in cycle ${cycle}` });
    add(await recordFootprint(recorder, `rm ${cycle}`, sandbox));
  }
  recorder.series('host footprint across fill/delete cycles', 'MiB', footprint);
  await expectAlive(sandbox);
  await expectFileReadable(sandbox, PRE_EXISTING_FILE);
  await expectRootWritable(sandbox);
  await expectTmpfsWritable(sandbox);
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
    const after = await expectReleasedWithin(() => dirAllocatedBytes(dir), {
      before,
      grown,
      fraction: DISK.destroyReleasedFraction,
      windowMs: DISK.destroyReleaseWindowMs,
      what: "the destroyed VM's disk directory on the host",
    });
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
  expect(
    second,
    `host footprint after the second fill (${(second / MIB).toFixed(1)} MiB) below ${DISK.maxRefillGrowth} × after the first (${(first / MIB).toFixed(1)} MiB): ` +
      'deleted blocks must be discarded all the way to the host file',
  ).toBeLessThan(limit);
}

export async function checkDeletedFilesReclaimedOnHost(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const footprint = async () => (await sandbox.hostFootprint()).totalBytes;
  const before = await footprint();
  const { footprint: grown } = await fillRootfs(sandbox, recorder);
  // No sync and no fstrim: the guest's own journal commit must carry the discard to the host.
  await execOk(sandbox, `rm ${FILL}`, { what: 'deleting the fill' });
  const after = await expectReleasedWithin(footprint, {
    before,
    grown,
    fraction: DISK.deleteReclaimedFraction,
    windowMs: DISK.deleteReclaimWindowMs,
    what: "the VM's host footprint after the guest deleted its fill",
  });
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
  expect(failure, `an upload of ${size} bytes with ${free} free on / fails`).toBeInstanceOf(Error);
  expect(failure!.message, 'the upload error says the disk is full').toContain(ENOSPC_TEXT);
  await expectAlive(sandbox);
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
  for (const { offsetMiB, lengthMiB } of DISK.discardRanges) {
    expect(await bytesOtherThan('\\000', offsetMiB, lengthMiB), `non-zero bytes in the discarded ${lengthMiB} MiB at ${offsetMiB} MiB`).toBe(0);
  }
  const kept = { offsetMiB: 0, lengthMiB: DISK.discardRanges[0].offsetMiB };
  expect(await bytesOtherThan(pattern, kept.offsetMiB, kept.lengthMiB), 'bytes changed in the range before the first discard').toBe(0);
  const discarded = DISK.discardRanges.reduce((sum, range) => sum + range.lengthMiB * MIB, 0);
  const after = await expectReleasedWithin(footprint, {
    before: written - discarded,
    grown: written,
    fraction: DISK.discardReclaimedFraction,
    windowMs: DISK.deleteReclaimWindowMs,
    what: `the scratch disk's host allocation after discarding ${discarded / MIB} MiB`,
  });
  recorder.metric('host footprint after discard', Math.round(after / MIB), 'MiB');
}

export async function checkImageConsistency(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  await execOk(
    sandbox,
    'mkdir /churn && for i in 1 2 3 4 5 6 7 8; do dd if=/dev/urandom of=/churn/$i bs=64k count=16 2>/dev/null; done && ' +
      'rm /churn/2 /churn/4 /churn/6 && sync && fstrim / && dd if=/dev/zero of=/churn/9 bs=1M count=16 2>/dev/null && sync',
    { what: 'writing, deleting and trimming files' },
  );
  await recordFootprint(recorder, 'churn', sandbox);
  await expectImagesConsistent([sandbox]);
  // Once more from a stopped VM: the image must be consistent on disk, not only in the VMM's caches.
  await sandbox.stop();
  await expectImagesConsistent([sandbox]);
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
  expect(ioError.data, `the I/O error event: a write that found no space, and the VM stopped for it (host storage: ${host.how})`).toMatchObject({
    operation: 'write',
    action: 'pause',
    noSpace: true,
  });
  await sandbox.waitForEvent('paused', pauseDeadline);
  expect(sandbox.state, 'the VM after the host ran out of space').toBe('paused');

  await host.freeSpace();
  await sandbox.resume();
  // Retried by the VMM after the resume, so the guest's write completes as if nothing happened.
  expectWritten(await overflow, OVERFLOW, DISK.hostOverflowMiB);
  expect(await checksums(sandbox, KEPT_FILES), 'files written before the host ran out of space').toEqual(written);
  const kernelErrors = await execOk(sandbox, "dmesg | grep -c -E 'I/O error|EXT4-fs error' || true", { what: 'guest kernel log' });
  expect(Number(kernelErrors.trim()), 'I/O errors the guest kernel saw (the VMM must pause, not fail the write)').toBe(0);
  await expectImagesConsistent([sandbox]);
}
