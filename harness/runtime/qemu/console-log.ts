/**
 * The guest's serial console as the harness keeps it. A guest can write to its console without end,
 * so QEMU never writes the log itself (a plain file chardev grows as long as the guest writes): it
 * writes into a FIFO that the harness reads into two files of at most `segmentBytes` each, the current
 * one and the one before, so the latest output is always kept and disk and memory stay bounded.
 */
import { once } from 'node:events';
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { CONSOLE } from './tuning.ts';
import { FifoReader } from '../../host/fifo.ts';

/** The segment before the current one: `console.log` → `console.1.log`. */
export function previousSegment(logPath: string): string {
  return logPath.replace(/(\.log)?$/, '.1$1');
}

/** Appends to `logPath`; once it would pass `segmentBytes`, it becomes the previous segment and a new one starts. */
export class RotatingLog extends Writable {
  private file: FileHandle | undefined;
  private size = 0;
  private full = false;

  constructor(
    private readonly logPath: string,
    private readonly segmentBytes: number = CONSOLE.segmentBytes,
    /** Fault console-log-keeps-start: a full log takes nothing more instead of rotating. */
    private readonly keepStart = false,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.append(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    const file = this.file;
    this.file = undefined;
    (file ? file.close() : Promise.resolve()).then(() => done(), done);
  }

  private async append(chunk: Buffer): Promise<void> {
    // A chunk larger than a whole segment keeps only its end: that is all a segment can hold.
    const data = chunk.length > this.segmentBytes ? chunk.subarray(chunk.length - this.segmentBytes) : chunk;
    if (this.full) return;
    if (this.file && this.size + data.length > this.segmentBytes) {
      if (this.keepStart) {
        this.full = true;
        return;
      }
      await this.file.close();
      this.file = undefined;
      await rename(this.logPath, previousSegment(this.logPath));
    }
    if (!this.file) {
      this.file = await open(this.logPath, 'w');
      this.size = 0;
    }
    await this.file.write(data);
    this.size += data.length;
  }
}

/**
 * Reads the VMM's console FIFO into a RotatingLog until `close()` is called.
 *
 * QEMU's serial port sends each byte the guest writes on its own. Read as they came, a guest flooding
 * its console for 20 s cost the harness 381 000 reads and log writes and 21 s of CPU, three times what
 * the VMM spent. So the FIFO is read once every `CONSOLE.readPauseMs`, all it holds at once, and the
 * stream stops reading in between; whoever reads the log first calls `flush()`.
 */
export interface ConsoleCaptureFaults {
  /** Fault console-capture-in-memory: every chunk read is also kept in memory, as a scrollback of the whole console. */
  keepInMemory?: boolean;
  /** Fault console-log-keeps-start (RotatingLog). */
  keepStart?: boolean;
}

export class ConsoleCapture {
  private readonly fifo: FifoReader;
  private readonly log: RotatingLog;
  private readonly scrollback: Buffer[] | undefined;
  private received = 0;
  private timer: NodeJS.Timeout | undefined;
  private awaitingDrain = false;
  /** Settles when the log is written and closed; also takes the log's error, which would otherwise be unhandled. */
  private readonly finished: Promise<unknown>;
  private closing: Promise<void> | undefined;

  constructor(fifoPath: string, logPath: string, faults: ConsoleCaptureFaults = {}) {
    // A one-byte buffer: after each read the stream stops reading until take() empties it.
    this.fifo = new FifoReader(fifoPath, 1);
    this.log = new RotatingLog(logPath, CONSOLE.segmentBytes, faults.keepStart);
    this.scrollback = faults.keepInMemory ? [] : undefined;
    this.finished = once(this.log, 'finish').catch(() => undefined);
    this.fifo.stream.on('readable', () => {
      // The first output at once: when it reaches the log is a milestone of the boot (FirstOutputWatch).
      if (this.received === 0) this.take();
      else this.timer ??= setTimeout(() => this.take(), CONSOLE.readPauseMs);
    });
  }

  get receivedBytes(): number {
    return this.received;
  }

  /** Takes what the VMM has written so far and waits until it is in the log. */
  async flush(): Promise<void> {
    // Emptying the stream's buffer lets it read again; it reads the FIFO in the event loop's poll phase,
    // which comes before the next check phase.
    this.take();
    await new Promise((resolve) => setImmediate(resolve));
    this.take();
    if (this.log.writableEnded) return;
    // Queued behind everything taken so far: when it is written, all of that is.
    await new Promise((resolve) => this.log.write(Buffer.alloc(0), resolve));
  }

  /** Stops reading and waits until what was read is written, so the files can be copied or removed. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.fifo.close();
    this.log.end();
    await this.finished;
  }

  private take(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.log.writableEnded || this.awaitingDrain) return;
    // A log behind the guest (a slow disk) leaves the FIFO unread: it fills, and QEMU, and the guest's
    // serial port with it, wait instead of the harness buffering.
    if (this.log.writableNeedDrain) {
      this.awaitingDrain = true;
      this.log.once('drain', () => {
        this.awaitingDrain = false;
        this.take();
      });
      return;
    }
    const data = this.fifo.stream.read() as Buffer | null;
    if (data === null) return;
    this.received += data.length;
    this.scrollback?.push(data);
    this.log.write(data);
  }
}

/** Bytes of the kept log: the current segment and the one before. */
export async function keptLogBytes(logPath: string): Promise<number> {
  const sizes = await Promise.all([logPath, previousSegment(logPath)].map((file) => stat(file).then((s) => s.size, () => 0)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The last `lines` lines of the kept log. */
export async function logTail(logPath: string, lines: number): Promise<string> {
  const [previous, current] = await Promise.all([previousSegment(logPath), logPath].map((file) => readFile(file, 'utf8').catch(() => '')));
  return `${previous}${current}`.split('\n').slice(-lines).join('\n');
}

export async function removeLog(logPath: string): Promise<void> {
  await Promise.all([logPath, previousSegment(logPath)].map((file) => rm(file, { force: true })));
}
