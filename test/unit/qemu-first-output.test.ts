import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FirstOutputWatch } from '../../harness/runtime/qemu/first-output.ts';

describe('FirstOutputWatch', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'first-output-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells when the log first held output, not when it was created empty', async () => {
    const log = path.join(dir, 'console.log');
    const watch = new FirstOutputWatch(log);
    await writeFile(log, '');
    await sleep(100);
    const wroteAt = Date.now();
    await writeFile(log, 'Linux version 6.1.0\n');
    await sleep(50);
    const seenAt = watch.stop();
    expect(seenAt).toBeGreaterThanOrEqual(wroteAt);
    expect(seenAt! - wroteAt).toBeLessThan(50);
  });

  it('says nothing when no output came', () => {
    expect(new FirstOutputWatch(path.join(dir, 'console.log')).stop()).toBeUndefined();
  });
});
