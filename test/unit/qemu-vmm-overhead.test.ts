/** The VMM overhead watch, on memory maps written by the test instead of a VMM's. */
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmmOverheadWatcher } from '../../harness/runtime/qemu/vmm-overhead.ts';
import { VMM_OVERHEAD } from '../../harness/runtime/qemu/tuning.ts';
import { pollUntil } from '../../harness/wait/poll.ts';

const KIB = 1024;
const PAGE = 4096;
/** The guest RAM's range in the maps below: 256 MiB from page 0x10000. */
const RAM_FIRST_PAGE = 0x10000;
const RAM_PAGES = (256 * KIB * KIB) / PAGE;
const MAPS = [
  '55d0c0000-55d0c1000000 r-xp 00000000 fe:00 123                        /usr/bin/qemu-system-x86_64',
  '10000000-20000000 rw-p 00000000 00:00 0 ',
  '7f6fc8000000-7f6fcffff000 rwxp 00000000 00:00 0 ',
  '7f6fd0000000-7f6fd0021000 rw-p 00000000 00:00 0',
].join('\n');
/** Resident: 9000 KiB of code, 86016 KiB of guest RAM, 16384 KiB of translation cache, 132 KiB of heap. */
const GUEST_PRESENT_KIB = 86016;
const OWN_KIB = 9000 + 16384 + 132;
const statm = (residentKiB: number) => `100000 ${residentKiB / 4} 2000 3000 0 50000 0\n`;

/** A /proc/<pid> of a VMM as the watch reads it: its maps, statm and the guest RAM's part of pagemap. */
async function fakeProc(dir: string, name: string): Promise<string> {
  const proc = path.join(dir, name);
  await mkdir(proc);
  await writeFile(path.join(proc, 'maps'), MAPS);
  await writeFile(path.join(proc, 'statm'), statm(GUEST_PRESENT_KIB + OWN_KIB));
  const entries = Buffer.alloc(RAM_PAGES * 8);
  // Present and mapped only here (bits 63 and 56); after them present and shared (bit 61 too): the huge zero page.
  for (let page = 0; page < GUEST_PRESENT_KIB / 4; page++) entries[page * 8 + 7] = 0x81;
  for (let page = GUEST_PRESENT_KIB / 4; page < RAM_PAGES / 2; page++) entries[page * 8 + 7] = 0xa0;
  const pagemap = await open(path.join(proc, 'pagemap'), 'w');
  await pagemap.write(entries, 0, entries.length, RAM_FIRST_PAGE * 8);
  await pagemap.close();
  return proc;
}

describe('the VMM overhead watch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-overhead-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts everything resident but the present pages of the anonymous mapping of the guest RAM size, look after look', async () => {
    const proc = await fakeProc(dir, 'a');
    vmmOverheadWatcher.watch('vm-a', process.pid, 256 * KIB * KIB, Date.now(), { proc });
    const watch = await pollUntil(() => vmmOverheadWatcher.report('vm-a'), (seen) => seen.samples >= 2, { timeoutMs: 10_000, what: 'two looks' });
    expect(watch.peakBytes).toBe(OWN_KIB * KIB);
    expect(watch.points.every((point) => point.bytes === watch.peakBytes && point.atMs >= 0)).toBe(true);
    expect(watch.longestGapMs).toBeGreaterThan(0);
    vmmOverheadWatcher.forget('vm-a');
    await expect(vmmOverheadWatcher.report('vm-a')).rejects.toThrow(/never watched/);
  });

  it('ends a watch quietly when the VMM has exited or is gone, keeping what it saw', async () => {
    const proc = await fakeProc(dir, 'b');
    vmmOverheadWatcher.watch('vm-b', process.pid, 256 * KIB * KIB, Date.now(), { proc });
    await pollUntil(() => vmmOverheadWatcher.report('vm-b'), (seen) => seen.samples >= 1, { timeoutMs: 10_000, what: 'a look' });
    // An exited, unreaped VMM: nothing resident.
    await writeFile(path.join(proc, 'statm'), statm(0));
    await sleep(VMM_OVERHEAD.tickMs * 2);
    const afterExit = (await vmmOverheadWatcher.report('vm-b')).samples;
    await rm(proc, { recursive: true });
    await sleep(VMM_OVERHEAD.tickMs * 2);
    const seen = (await vmmOverheadWatcher.report('vm-b')).samples;
    await sleep(VMM_OVERHEAD.tickMs * 2);
    const watch = await vmmOverheadWatcher.report('vm-b');
    expect(watch.samples).toBeGreaterThan(0);
    expect(watch.samples, 'no looks once its VMM is gone').toBe(seen);
    expect(seen, 'an exited VMM\'s empty memory is no look, and no error').toBe(afterExit);
  });

  it('says so when no mapping is the guest RAM', async () => {
    const proc = await fakeProc(dir, 'c');
    vmmOverheadWatcher.watch('vm-c', process.pid, 512 * KIB * KIB, Date.now(), { proc });
    const failure = await pollUntil(() => vmmOverheadWatcher.report('vm-c').then(() => undefined, (error: Error) => error), (error) => error !== undefined, { timeoutMs: 10_000, what: 'the failed read' });
    expect(failure!.message).toMatch(/could not be read: no anonymous mapping of the guest RAM size \(512 MiB; the large anonymous ones: 256 MiB\)/);
  });
});
