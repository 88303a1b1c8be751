/** The kept serial console: two bounded segments, the latest output always in them. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { makeFifo } from '../../harness/host/fifo.ts';
import { ConsoleCapture, keptLogBytes, logTail, previousSegment, removeLog, RotatingLog } from '../../harness/runtime/qemu/console-log.ts';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'console-log-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

async function writeAll(log: RotatingLog, chunks: string[]): Promise<void> {
  for (const chunk of chunks) if (!log.write(Buffer.from(chunk))) await once(log, 'drain');
  log.end();
  await once(log, 'finish');
}

describe('console log', () => {
  it('names the previous segment beside the current one', () => {
    expect(previousSegment('/vm/console.log')).toBe('/vm/console.1.log');
  });

  it('keeps at most two segments whatever is written, the latest output last', async () => {
    const logPath = path.join(dir, 'console.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`);
    await writeAll(new RotatingLog(logPath, 1000), lines);
    expect(await keptLogBytes(logPath)).toBeLessThanOrEqual(2000);
    expect(await logTail(logPath, 3)).toBe('line 4998\nline 4999\n');
    const kept = `${await readFile(previousSegment(logPath), 'utf8')}${await readFile(logPath, 'utf8')}`;
    expect(lines.join('').endsWith(kept), 'the kept text is the end of what was written, in order').toBe(true);
  });

  it('keeps only the end of a chunk larger than a segment', async () => {
    const logPath = path.join(dir, 'console.log');
    await writeAll(new RotatingLog(logPath, 10), ['0123456789abcdef']);
    expect(await readFile(logPath, 'utf8')).toBe('6789abcdef');
  });

  it('removes both segments', async () => {
    const logPath = path.join(dir, 'console.log');
    await writeAll(new RotatingLog(logPath, 4), ['abcd', 'efgh']);
    await removeLog(logPath);
    expect(await keptLogBytes(logPath)).toBe(0);
  });
});

describe('console capture', () => {
  it('keeps every byte a VMM writes one at a time, in order, and a flush makes them visible', async () => {
    const fifo = path.join(dir, 'console.pipe');
    const logPath = path.join(dir, 'console.log');
    await makeFifo(fifo);
    const capture = new ConsoleCapture(fifo, logPath);
    // As QEMU's serial port does: the VMM opens the FIFO for writing and sends each byte on its own.
    const vmm = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const text = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');
    for (const byte of Buffer.from(text)) writeSync(vmm, Buffer.of(byte));
    await capture.flush();
    expect(await readFile(logPath, 'utf8')).toBe(text);
    expect(capture.receivedBytes).toBe(text.length);
    // A VMM that exits leaves what it wrote readable.
    closeSync(vmm);
    await capture.close();
    expect(await logTail(logPath, 2)).toBe('line 399\n');
  });

  it('survives a log it cannot write, and closes once however often it is asked', async () => {
    const fifo = path.join(dir, 'console.pipe');
    await makeFifo(fifo);
    const capture = new ConsoleCapture(fifo, path.join(dir, 'no-such-dir', 'console.log'));
    const vmm = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(vmm, 'boot line\n');
    await capture.flush();
    closeSync(vmm);
    await Promise.all([capture.close(), capture.close()]);
  });
});
