/**
 * The disk cases from the field: unbounded writes (a fixed file size limit that killed a VM silently,
 * a guest path without quota that put 60 GB on the host).
 */
import { execOk, expectAlive, expectAtMost, expectWithin, holds } from '../../harness/assert/index.ts';
import { expect } from 'vitest';
import type { Sandbox, SandboxSpec } from '../../harness/contract/sandbox.ts';
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import { FIELD_DISK } from './limits.ts';
import { filesystemUsage, fillUntilFull, MIB, mountOf, SCRATCH_DEVICE, type WriteOutcome } from './guest-disk.ts';

export const writeBoundSpec: Partial<SandboxSpec> = { disk: { scratchMiB: FIELD_DISK.scratchMiB } };

/** How a write may stop at a bound, as the guest's dd says it: ENOSPC, EFBIG, EDQUOT. */
const BOUND_ERRORS: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EFBIG: 'File too large',
  EDQUOT: 'Disk quota exceeded',
};

function boundError(write: WriteOutcome): string | undefined {
  if (write.result.exitCode === 0 || write.result.timedOut) return undefined;
  const said = write.result.stderr.toString();
  return Object.entries(BOUND_ERRORS).find(([, text]) => said.includes(text))?.[0];
}

const MEMORY_BACKED = new Set(['tmpfs', 'ramfs']);

interface PlaceFill {
  place: string;
  type: string;
  memoryBacked: boolean;
  sizeBytes: number;
  writtenBytes: number;
  /** How the write stopped (undefined: not at a bound). */
  error: string | undefined;
  /** Free bytes left at the place when it stopped. */
  leftBytes: number;
  write: WriteOutcome;
}

/** Fills one place until the write stops, and gives the space back. */
async function fillPlace(sandbox: Sandbox, place: string): Promise<PlaceFill> {
  const mountPoint = (await execOk(sandbox, `df -P ${place} | awk 'NR == 2 { print $6 }'`, { what: `the mount of ${place}` })).trim();
  const { type } = await mountOf(sandbox, mountPoint);
  const before = await filesystemUsage(sandbox, place);
  const file = `${place.replace(/\/$/, '')}/gauntlet-bound-fill`;
  const write = await fillUntilFull(sandbox, file);
  await execOk(sandbox, `rm -f ${file}`, { what: `removing the fill of ${place}` });
  return {
    place,
    type,
    memoryBacked: MEMORY_BACKED.has(type),
    sizeBytes: before.totalBytes,
    writtenBytes: write.bytes,
    error: boundError(write),
    leftBytes: write.usage.freeBytes,
    write,
  };
}

/** The write into a place stopped at that place's own bound: a bound error, and (almost) nothing left there. */
function expectStoppedAtOwnBound(fill: PlaceFill): void {
  const { result } = fill.write;
  expect(fill.error, `how the write into ${fill.place} (${fill.type}) stopped: exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}: ${result.stderr.toString().trim()}`).toBeDefined();
  expect(fill.leftBytes, `bytes still free at ${fill.place} when the write stopped with ${fill.error}`).toBeLessThan(
    FIELD_DISK.leftAtBoundBytes + FIELD_DISK.metadataReserveShare * fill.sizeBytes,
  );
}

/**
 * write-bound-every-path: in one guest, a write into each writable place stops with ENOSPC (or
 * EFBIG/EDQUOT) at that place's own bound; the memory-backed ones together hold at most half the
 * guest's RAM; the guest stays alive; the host holds only what the disk-backed places took.
 */
export async function checkWriteBoundEveryPath(sandbox: Sandbox, recorder: CaseRecorder): Promise<string[]> {
  const footprintBefore = (await sandbox.hostFootprint()).totalBytes;
  const fills: PlaceFill[] = [];
  const absent: string[] = [];
  for (const place of FIELD_DISK.places) {
    if ((await execOk(sandbox, `[ -d ${place} ] && echo yes || echo no`, { what: `whether ${place} exists` })).trim() === 'no') {
      absent.push(place);
      continue;
    }
    const fill = await fillPlace(sandbox, place);
    fills.push(fill);
    await holds('write-bound-every-path/stops-at-own-bound', () => expectStoppedAtOwnBound(fill));
    await holds('write-bound-every-path/alive', () => expectAlive(sandbox));
  }
  const scratch = await sandbox.exec(`dd if=/dev/zero of=${SCRATCH_DEVICE} bs=1M; rc=$?; sync; exit $rc`);
  await holds('write-bound-every-path/stops-at-own-bound', () =>
    expect(boundError({ result: scratch, bytes: 0, durationMs: 0 }), `how the write to the scratch disk ${SCRATCH_DEVICE} stopped: exit ${scratch.exitCode}: ${scratch.stderr.toString().trim()}`).toBeDefined(),
  );
  await holds('write-bound-every-path/alive', () => expectAlive(sandbox));

  const memTotalBytes = Number((await execOk(sandbox, "awk '/^MemTotal:/ { print $2 }' /proc/meminfo", { what: 'MemTotal' })).trim()) * 1024;
  const memoryBacked = fills.filter((fill) => fill.memoryBacked);
  const memoryBackedBytes = memoryBacked.reduce((sum, fill) => sum + fill.writtenBytes, 0);
  recorder.metric('memory-backed places filled', memoryBackedBytes / MIB, 'MiB');
  const took = memoryBacked.map((fill) => `${fill.place} ${(fill.writtenBytes / MIB).toFixed(0)} MiB`).join(', ');
  await holds('write-bound-every-path/memory-backed-bounded', () =>
    expectAtMost(memoryBackedBytes / MIB, (memTotalBytes * FIELD_DISK.memoryBackedShareOfRam) / MIB, `what the memory-backed places took together (${took}) against half the guest's ${(memTotalBytes / MIB).toFixed(0)} MiB`, 'MiB'),
  );

  const diskBackedBytes = fills.filter((fill) => !fill.memoryBacked).reduce((sum, fill) => sum + fill.writtenBytes, 0) + FIELD_DISK.scratchMiB * MIB;
  const grown = (await sandbox.hostFootprint()).totalBytes - footprintBefore;
  await holds('write-bound-every-path/host-footprint-bounded', () =>
    expectAtMost(grown / MIB, (diskBackedBytes + FIELD_DISK.footprintSlackBytes) / MIB, `host footprint growth (the disk-backed places took ${(diskBackedBytes / MIB).toFixed(0)} MiB)`, 'MiB'),
  );
  return absent;
}

export const sparseSpec: Partial<SandboxSpec> = { disk: { scratchMiB: FIELD_DISK.sparseScratchMiB, discard: true } };

/**
 * large-sparse-disk-bounded: a 4 GiB virtual scratch disk holds a few MiB on the host after boot, grows
 * by about the 64 MiB written to it (never toward its virtual size), and falls back once the write is
 * discarded.
 */
export async function checkLargeSparseDiskBounded(sandbox: Sandbox, recorder: CaseRecorder): Promise<void> {
  const { sparseScratchMiB, sparseWriteMiB, sparseFewMiB, sparseWriteSlackMiB } = FIELD_DISK;
  const footprintMiB = async () => (await sandbox.hostFootprint()).totalBytes / MIB;
  const afterBoot = await footprintMiB();
  recorder.metric('sparse disks after boot', afterBoot, 'MiB');
  await holds('large-sparse-disk-bounded/sparse-after-boot', () =>
    expectAtMost(afterBoot, sparseFewMiB, `host footprint right after boot, with a ${sparseScratchMiB} MiB virtual scratch disk`, 'MiB'),
  );
  await execOk(sandbox, `dd if=/dev/zero of=${SCRATCH_DEVICE} bs=1M count=${sparseWriteMiB} oflag=direct conv=fsync 2>&1`, { what: `writing ${sparseWriteMiB} MiB to ${SCRATCH_DEVICE}` });
  const grown = (await footprintMiB()) - afterBoot;
  await holds('large-sparse-disk-bounded/grows-by-write', () =>
    expectWithin(grown, sparseWriteMiB, sparseWriteMiB + sparseWriteSlackMiB, `host footprint growth after writing ${sparseWriteMiB} MiB to the ${sparseScratchMiB} MiB scratch disk`, 'MiB'),
  );
  await execOk(sandbox, `blkdiscard -o 0 -l ${sparseWriteMiB * MIB} ${SCRATCH_DEVICE}`, { what: `discarding the ${sparseWriteMiB} MiB` });
  const afterDiscard = (await footprintMiB()) - afterBoot;
  await holds('large-sparse-disk-bounded/shrinks-after-discard', () =>
    expectAtMost(afterDiscard, sparseWriteSlackMiB, `host footprint growth left after discarding the ${sparseWriteMiB} MiB`, 'MiB'),
  );
}
