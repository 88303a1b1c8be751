/**
 * An image archive downloaded in CI can arrive cut short or with bytes changed. Whatever the damage
 * and wherever it sits, `gauntlet image import` must answer with one line and exit 2, and leave nothing
 * in the cache: not even a write that lands after the import has given up.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { sweepDeadImports, writeImageArchive } from '../../harness/image/archive.ts';
import { imagesRoot } from '../../harness/image/cache-paths.ts';
import { deadPid } from './fixtures/dead-pid.ts';
import { fakeImage } from './fixtures/fake-image.ts';

let work: string;
let archive: Buffer;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'gauntlet-archive-damage-'));
  const file = path.join(work, 'image.tar.gz');
  // About 1 MiB compressed: dozens of deflate blocks, and tar headers far apart inside them.
  await writeImageArchive(await fakeImage(path.join(work, 'source-cache'), { baseBytes: 1_500_000 }), file);
  archive = await readFile(file);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  errors: string[];
  left: string[];
}

/** `gauntlet image import` of these bytes into a fresh cache: its exit code, its stderr, what it left. */
async function importBytes(name: string, bytes: Buffer): Promise<Outcome> {
  const file = path.join(work, `${name}.tar.gz`);
  await writeFile(file, bytes);
  const cacheDir = await mkdtemp(path.join(work, 'cache-'));
  vi.stubEnv('GAUNTLET_CACHE_DIR', cacheDir);
  const errors: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await main(['image', 'import', file, '--arch', 'x86_64']);
    // A write the unpacker started before the import gave up would land now, after the cleanup.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const left = await readdir(imagesRoot(cacheDir)).catch(() => []);
    return { code, errors, left };
  } finally {
    error.mockRestore();
    log.mockRestore();
    vi.unstubAllEnvs();
    await rm(file, { force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function changedAt(offset: number): Buffer {
  const copy = Buffer.from(archive);
  copy[offset] = copy[offset]! ^ 0xff;
  return copy;
}

/** `count` offsets spread evenly over [from, to). */
function spread(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + Math.floor(((to - from) * i) / count));
}

// gzip: 10 header bytes, the deflate stream, then the trailer (CRC-32 and length of the input, 4 each).
const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;
// Bytes 4-9 of the gzip header (mtime, extra flags, OS) carry no data and nothing checks them.
const UNCHECKED_HEADER_BYTES = [4, 5, 6, 7, 8, 9];

function damages(): { what: string; bytes: () => Buffer }[] {
  const size = () => archive.length;
  const cuts = [
    0, 1, GZIP_HEADER, 100, 512,
    ...spread(GZIP_HEADER, 1_000_000, 40).map((k) => k + 37),
    ...Array.from({ length: GZIP_TRAILER }, (_, i) => -(i + 1)),
  ];
  const changes = [
    0, 1, 2, 3,
    ...spread(GZIP_HEADER, 1_000_000, 40).map((k) => k + 11),
    ...Array.from({ length: GZIP_TRAILER }, (_, i) => -(i + 1)),
  ];
  return [
    ...cuts.map((cut) => ({
      what: cut < 0 ? `cut ${-cut} byte(s) short (in the gzip trailer)` : `cut short to ${cut} bytes`,
      bytes: () => archive.subarray(0, cut < 0 ? size() + cut : cut),
    })),
    ...changes.map((at) => ({
      what: at < 0 ? `changed at ${-at} byte(s) before the end (in the gzip trailer)` : `changed at byte ${at}`,
      bytes: () => changedAt(at < 0 ? size() + at : at),
    })),
  ];
}

describe('gauntlet image import of a damaged archive', () => {
  it('is at least 1 MiB with its damage offsets inside it, so the offsets reach deep into the stream', () => {
    expect(archive.length).toBeGreaterThan(1_000_000 + 64);
  });

  const cases = damages();
  it(`answers each of ${cases.length} damages with exit 2 and one line, leaving nothing in the cache`, async () => {
    const wrong: string[] = [];
    for (const [index, damage] of cases.entries()) {
      const { code, errors, left } = await importBytes(`damaged-${index}`, damage.bytes());
      const oneLine = errors.length === 1 && !errors[0]!.includes('\n') && errors[0]!.startsWith('gauntlet: ');
      if (code !== 2 || !oneLine || left.length > 0) {
        wrong.push(`${damage.what}: exit ${code}, stderr ${JSON.stringify(errors)}, left ${JSON.stringify(left)}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('imports an archive whose only change is in the gzip header bytes nothing checks', async () => {
    for (const at of UNCHECKED_HEADER_BYTES) {
      const { code, errors } = await importBytes(`unchecked-${at}`, changedAt(at));
      expect({ at, code, errors }).toEqual({ at, code: 0, errors: [] });
    }
  });

  it('imports the undamaged archive, so the damage is what each refusal is about', async () => {
    expect((await importBytes('whole', archive)).code).toBe(0);
  });
});

describe('what killed imports left in the cache', () => {
  it('is removed, by owner pid, while a live import of another process is left alone', async () => {
    const cacheDir = await mkdtemp(path.join(work, 'sweep-'));
    const root = imagesRoot(cacheDir);
    const dead = path.join(root, `.import-${await deadPid()}-abc123`);
    const deadAside = path.join(root, `.import-${await deadPid()}-old-def456`);
    const live = path.join(root, `.import-${process.ppid}-ghi789`);
    for (const dir of [dead, deadAside, live]) {
      await mkdir(path.join(dir, 'rootfs'), { recursive: true });
      await writeFile(path.join(dir, 'rootfs', 'half-written'), 'x');
    }
    expect((await sweepDeadImports(cacheDir)).sort()).toEqual([dead, deadAside].sort());
    expect(await readdir(root)).toEqual([path.basename(live)]);
  });
});
