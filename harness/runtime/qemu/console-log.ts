/**
 * The guest's serial console as the harness keeps it. A guest can write to its console without end,
 * so QEMU never writes the log itself (a plain file chardev grows as long as the guest writes): it
 * writes to a socket that the harness reads into two files of at most `segmentBytes` each, the current
 * one and the one before, so the latest output is always kept and disk and memory stay bounded.
 * Reading is paced by the writes (a pipe): when the disk is slower than the guest, QEMU waits, and the
 * guest's serial port with it, instead of the harness buffering.
 */
import { once } from 'node:events';
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type net from 'node:net';
import { Writable } from 'node:stream';
import { CONSOLE } from '../../config/constants.ts';
import { connectUnixSocket } from '../../channel/unix-socket.ts';

/** The segment before the current one: `console.log` → `console.1.log`. */
export function previousSegment(logPath: string): string {
  return logPath.replace(/(\.log)?$/, '.1$1');
}

/** Appends to `logPath`; once it would pass `segmentBytes`, it becomes the previous segment and a new one starts. */
export class RotatingLog extends Writable {
  private file: FileHandle | undefined;
  private size = 0;

  constructor(
    private readonly logPath: string,
    private readonly segmentBytes: number = CONSOLE.segmentBytes,
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
    if (this.file && this.size + data.length > this.segmentBytes) {
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

/** Reads the VMM's console socket into a RotatingLog until the VMM closes it or `close()` is called. */
export class ConsoleCapture {
  private received = 0;
  private readonly finished: Promise<unknown>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly log: RotatingLog,
  ) {
    socket.on('data', (chunk: Buffer) => (this.received += chunk.length));
    socket.pipe(log);
    this.finished = once(log, 'finish').catch(() => undefined);
  }

  /** Connects to the socket of a VMM that waits for this connection before it starts the guest. */
  static async start(socketPath: string, logPath: string, deadlineMs: number, isVmmAlive: () => boolean): Promise<ConsoleCapture> {
    const socket = await connectUnixSocket(socketPath, 'serial console socket', deadlineMs, isVmmAlive);
    return new ConsoleCapture(socket, new RotatingLog(logPath));
  }

  get receivedBytes(): number {
    return this.received;
  }

  /** Stops reading and waits until what was read is written, so the files can be copied or removed. */
  async close(): Promise<void> {
    if (!this.log.writableEnded) {
      this.socket.unpipe(this.log);
      this.socket.destroy();
      this.log.end();
    }
    await this.finished;
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
