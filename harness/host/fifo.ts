/**
 * A named pipe read as a stream. Node can open a FIFO but not make one, so `mkfifo` makes it.
 */
import { closeSync, constants, openSync } from 'node:fs';
import net from 'node:net';
import { execa } from 'execa';

export async function makeFifo(file: string): Promise<void> {
  await execa('mkfifo', ['-m', '600', file]);
}

/**
 * The read side of a FIFO, open before any writer, so a writer's open does not wait. It also holds a
 * write side of its own, never written: without one, a FIFO with no writer reads as ended, before the
 * writer came and after it went.
 */
export class FifoReader {
  readonly stream: net.Socket;
  private readonly keepOpen: number;

  /** `bufferBytes`: how much the stream takes in before it stops reading until it is read. */
  constructor(file: string, bufferBytes: number) {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    this.keepOpen = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
    // net.Socket hands its options to stream.Duplex, which takes readableHighWaterMark; its types omit it.
    this.stream = new net.Socket({ fd, readable: true, writable: false, readableHighWaterMark: bufferBytes } as net.SocketConstructorOpts);
  }

  close(): void {
    this.stream.destroy();
    closeSync(this.keepOpen);
  }
}
