/** The VMM overhead watch, on memory maps written by the test instead of a VMM's. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmmOverheadWatcher } from '../../harness/runtime/qemu/vmm-overhead.ts';
import { VMM_OVERHEAD } from '../../harness/runtime/qemu/tuning.ts';
import { pollUntil } from '../../harness/wait/poll.ts';

const KIB = 1024;
const mapping = (header: string, sizeKiB: number, rssKiB: number) => `${header}\nSize:           ${sizeKiB} kB\nKernelPageSize:        4 kB\nRss:            ${rssKiB} kB\nPss:            ${rssKiB} kB\n`;
const SMAPS = [
  mapping('55d0c0000000-55d0c1000000 r-xp 00000000 fe:00 123                        /usr/bin/qemu-system-x86_64', 16384, 9000),
  mapping('7f6fafe00000-7f6fbfe00000 rw-p 00000000 00:00 0 ', 262144, 86016),
  mapping('7f6fc8000000-7f6fcffff000 rwxp 00000000 00:00 0 ', 131068, 16384),
  mapping('7f6fd0000000-7f6fd0021000 rw-p 00000000 00:00 0', 132, 132),
].join('');

describe('the VMM overhead watch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-overhead-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts everything resident but the anonymous mapping of the guest RAM size, look after look', async () => {
    const smaps = path.join(dir, 'smaps');
    await writeFile(smaps, SMAPS);
    vmmOverheadWatcher.watch('vm-a', process.pid, 256 * KIB * KIB, Date.now(), { smaps });
    const watch = await pollUntil(() => vmmOverheadWatcher.report('vm-a'), (seen) => seen.samples >= 2, { timeoutMs: 10_000, what: 'two looks' });
    expect(watch.peakBytes).toBe((9000 + 16384 + 132) * KIB);
    expect(watch.points.every((point) => point.bytes === watch.peakBytes && point.atMs >= 0)).toBe(true);
    expect(watch.longestGapMs).toBeGreaterThan(0);
    vmmOverheadWatcher.forget('vm-a');
    await expect(vmmOverheadWatcher.report('vm-a')).rejects.toThrow(/never watched/);
  });

  it('ends a watch quietly when the VMM is gone, keeping what it saw', async () => {
    const smaps = path.join(dir, 'gone');
    await writeFile(smaps, SMAPS);
    vmmOverheadWatcher.watch('vm-b', process.pid, 256 * KIB * KIB, Date.now(), { smaps });
    await pollUntil(() => vmmOverheadWatcher.report('vm-b'), (seen) => seen.samples >= 1, { timeoutMs: 10_000, what: 'a look' });
    await rm(smaps);
    await sleep(VMM_OVERHEAD.lookEveryMs * 2);
    const seen = (await vmmOverheadWatcher.report('vm-b')).samples;
    await sleep(VMM_OVERHEAD.lookEveryMs * 2);
    const watch = await vmmOverheadWatcher.report('vm-b');
    expect(watch.samples).toBeGreaterThan(0);
    expect(watch.samples, 'no looks once its VMM is gone').toBe(seen);
  });

  it('says so when no mapping is the guest RAM', async () => {
    const smaps = path.join(dir, 'other-size');
    await writeFile(smaps, SMAPS);
    vmmOverheadWatcher.watch('vm-c', process.pid, 512 * KIB * KIB, Date.now(), { smaps });
    const failure = await pollUntil(() => vmmOverheadWatcher.report('vm-c').then(() => undefined, (error: Error) => error), (error) => error !== undefined, { timeoutMs: 10_000, what: 'the failed read' });
    expect(failure!.message).toMatch(/could not be read: no anonymous mapping of the guest RAM size \(512 MiB\)/);
  });
});
