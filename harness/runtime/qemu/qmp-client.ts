/**
 * Asynchronous QMP client. Replies are matched to commands by id; events (BALLOON_CHANGE,
 * BLOCK_IO_ERROR, STOP, ...) arrive between replies and are kept apart, never taken for a reply.
 * Every line in both directions goes to a transcript kept with the VM's artifacts.
 */
import { appendFileSync } from 'node:fs';
import type net from 'node:net';
import { connectUnixSocket } from '../../channel/unix-socket.ts';

export class QmpError extends Error {
  override name = 'QmpError';
}

interface Waiting {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** An event as QMP sends it; vm-events.ts says what it means in the runtime contract's terms. */
export interface QmpEvent {
  name: string;
  data: Record<string, unknown>;
  /** When it arrived, in milliseconds since this client was made. */
  atMs: number;
  /** QMP's own timestamp of it (epoch ms): exact even for an event QEMU throttled and delivered late. */
  vmmEpochMs?: number;
}

type EventListener = (event: QmpEvent) => void;

export class QmpClient {
  private socket: net.Socket | undefined;
  private buffered = '';
  private nextId = 0;
  private readonly waiting = new Map<string, Waiting>();
  private readonly startedAt = Date.now();
  private greeting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  readonly events: QmpEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly socketPath: string,
    private readonly transcriptPath?: string,
  ) {}

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Connects (retrying while QEMU creates the socket), waits for the greeting, negotiates. */
  async connect(deadlineMs: number, isVmmAlive: () => boolean = () => true): Promise<void> {
    if (this.socket) return;
    // A VMM that dies between accepting and greeting must fail the connect, not hang it.
    const greeting = new Promise<void>((resolve, reject) => (this.greeting = { resolve, reject }));
    const socket = await connectUnixSocket(this.socketPath, 'QMP', deadlineMs, isVmmAlive);
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk.toString('utf8')));
    socket.on('close', () => this.onClose());
    await greeting;
    await this.execute('qmp_capabilities');
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const socket = this.socket;
    if (!socket) throw new QmpError(`QMP not connected (command ${command})`);
    const id = `g${this.nextId++}`;
    const line = JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id });
    this.record('>', line);
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      socket.write(`${line}\n`);
    });
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket?.destroy();
    this.onClose();
  }

  private onData(text: string): void {
    this.buffered += text;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    this.record('<', line);
    let message: Record<string, any>;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if ('QMP' in message) {
      this.greeting?.resolve();
      this.greeting = undefined;
    } else if ('event' in message) {
      const event: QmpEvent = { name: message.event, data: message.data ?? {}, atMs: Date.now() - this.startedAt, ...vmmTime(message.timestamp) };
      this.events.push(event);
      for (const listener of [...this.listeners]) listener(event);
    } else if (typeof message.id === 'string' && this.waiting.has(message.id)) {
      const waiting = this.waiting.get(message.id)!;
      this.waiting.delete(message.id);
      if ('error' in message) {
        waiting.reject(new QmpError(`${waiting.command}: ${message.error.class}: ${message.error.desc}`));
      } else {
        waiting.resolve(message.return);
      }
    }
  }

  private onClose(): void {
    this.socket = undefined;
    this.greeting?.reject(new QmpError('QMP closed before its greeting'));
    this.greeting = undefined;
    for (const waiting of this.waiting.values()) waiting.reject(new QmpError(`QMP closed before ${waiting.command} answered`));
    this.waiting.clear();
  }

  private record(direction: '<' | '>', line: string): void {
    if (!this.transcriptPath) return;
    try {
      appendFileSync(this.transcriptPath, `${((Date.now() - this.startedAt) / 1000).toFixed(3)} ${direction} ${line}\n`);
    } catch {
      // The transcript is a debugging aid; a VM whose work dir is gone must not fail on it.
    }
  }
}

/** QMP stamps each event when it happened ({seconds, microseconds}), also one it throttles and delivers late. */
function vmmTime(timestamp: { seconds?: unknown; microseconds?: unknown } | undefined): Pick<QmpEvent, 'vmmEpochMs'> {
  const { seconds, microseconds } = timestamp ?? {};
  return typeof seconds === 'number' && typeof microseconds === 'number' ? { vmmEpochMs: seconds * 1000 + microseconds / 1000 } : {};
}
