/**
 * Host side of the guest agent channel: one unix socket to the VMM's chardev, many requests in
 * flight, replies matched by request id. Requests the guest has not answered are sent again whenever
 * the agent announces that it (re)opened its port, because the VMM drops what is written while the
 * port is closed; the agent never runs an id twice, so a resend cannot duplicate work.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { AgentChannelReport, ExecOptions, ExecResult } from '../contract/sandbox.ts';
import { AGENT } from '../config/constants.ts';
import { GuestNoAnswerError } from '../contract/exec-errors.ts';
import { AGENT_CHANNEL } from './limits.ts';
import { AgentProtocolError, encodeExecRequest, FrameDecoder, scriptWithEnv, type GuestFrame } from './agent-protocol.ts';
import { ExchangeLog } from './exchange-log.ts';
import { connectUnixSocket } from './unix-socket.ts';

export class AgentChannelError extends Error {
  override name = 'AgentChannelError';
}

export interface AgentClientOptions {
  /** Fault injection: hand each reply to the oldest waiting request, whatever its id. */
  ignoreRequestIds?: boolean;
  /** Fault injection: hand a reply whose id nobody waits for to the oldest waiting request. */
  strayRepliesToOldest?: boolean;
  /** Fault injection: keep every line whole until its newline, however long. */
  unboundedLineBuffer?: boolean;
  /** Fault injection: hand output on as UTF-8 text turned back into bytes, as an API returning strings does. */
  outputAsText?: boolean;
  /** Fault injection: read only the timed-out flag of a reply, so output the guest cut short looks complete. */
  ignoreTruncatedFlag?: boolean;
  /** Fault injection: keep every chunk received, as a debugging transcript does: memory grows with all output. */
  keepTranscript?: boolean;
  /** Extra time beyond the command's own timeout before the host stops waiting. */
  replyGraceMs?: number;
  /** Fault injection: wait for every reply however long it takes (an exec to a frozen guest hangs). */
  noReplyDeadline?: boolean;
  /** Fault injection: keep every stretch of bad input skipped, as a client quoting it in its errors does. */
  keepBadInput?: boolean;
  /** Fault injection: skip bad input without counting or keeping it as a protocol error. */
  hideProtocolErrors?: boolean;
  /** Fault injection: poll for each reply on every turn of the event loop while it is awaited. */
  busyWaitReplies?: boolean;
  /** Fault injection: keep each output field whole however long, trusting the agent to have cut it. */
  noOutputCap?: boolean;
  /** Fault injection: on a disconnect, forget the waiting requests without failing them. */
  strandRequestsOnDisconnect?: boolean;
}

interface PendingRequest {
  id: string;
  frame: Buffer;
  sentAt: number;
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class AgentClient {
  private socket: net.Socket | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly session = randomBytes(3).toString('hex');
  private nextRequest = 0;
  private protocolErrors = 0;
  private lastProtocolError: AgentProtocolError | undefined;
  private strayReplies = 0;
  private peakHeldChars = 0;
  private readonly transcript: Buffer[] = [];
  private readonly exchanges = new ExchangeLog(AGENT_CHANNEL.transcriptLines);
  private markGreeted: () => void = () => {};
  /** Resolves at the agent's first HELLO: only then is a request sure to reach it (the VMM drops writes to a closed port). */
  readonly greeted = new Promise<void>((resolve) => (this.markGreeted = resolve));

  constructor(
    private readonly socketPath: string,
    private readonly options: AgentClientOptions = {},
  ) {}

  /** Connects to the VMM's socket, retrying while the VMM is still creating it. */
  async connect(deadlineMs: number, isVmmAlive: () => boolean = () => true): Promise<void> {
    if (this.socket) return;
    const socket = await connectUnixSocket(this.socketPath, 'agent socket', deadlineMs, isVmmAlive);
    this.socket = socket;
    const decoder = new FrameDecoder(this.options.noOutputCap ? Infinity : AGENT.outputLimitBytes, (frame) => this.onFrame(frame), {
      onProtocolError: (error) => {
        if (this.options.hideProtocolErrors) return;
        this.protocolErrors++;
        this.lastProtocolError = error;
        this.exchanges.add(`✗ skipped input: ${error.message}`);
      },
      maxHeaderChars: this.options.unboundedLineBuffer ? Infinity : AGENT_CHANNEL.maxHeaderChars,
      keepBadInput: this.options.keepBadInput,
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.options.keepTranscript) this.transcript.push(chunk);
      decoder.push(chunk);
      this.peakHeldChars = Math.max(this.peakHeldChars, decoder.peakHeldChars);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.dropConnection('agent channel closed by the VMM');
    });
  }

  /** Drops the connection; every waiting request fails, its late reply will be ignored. */
  disconnect(): void {
    this.dropConnection('agent channel disconnected by the host');
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (!this.socket) throw new AgentChannelError('agent channel is not connected');
    const timeoutSeconds = options.timeoutSeconds ?? AGENT.execTimeoutSeconds;
    const id = `${this.session}-${(this.nextRequest++).toString(36)}`;
    const frame = encodeExecRequest({
      id,
      script: scriptWithEnv(command, options.env),
      timeoutSeconds,
      outputLimitBytes: options.outputLimitBytes ?? AGENT.outputLimitBytes,
      stdin: typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin,
    });
    // The longest a timer waits (about 24 days): for the fault, as good as forever.
    const waitMs = this.options.noReplyDeadline ? 2 ** 31 - 1 : timeoutSeconds * 1000 + (this.options.replyGraceMs ?? AGENT_CHANNEL.replyGraceMs);
    const reply = new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.exchanges.add(`✗ ${id}: no reply within ${waitMs} ms`);
        reject(new GuestNoAnswerError(`no reply to request ${id} within ${waitMs} ms (command: ${command.slice(0, 80)})`));
      }, waitMs);
      this.pending.set(id, { id, frame, sentAt: Date.now(), resolve, reject, timer });
      this.exchanges.add(`→ ${id}: exec ${JSON.stringify(command.length > 120 ? `${command.slice(0, 120)}…` : command)} (timeout ${timeoutSeconds} s)`);
      this.socket!.write(frame);
    });
    if (this.options.busyWaitReplies) this.pollUntilSettled(id);
    return reply;
  }

  /** The fault busy-waits-replies: looks for the request's reply on every turn of the event loop until it is gone from the waiting ones. */
  private pollUntilSettled(id: string): void {
    if (this.pending.has(id)) setImmediate(() => this.pollUntilSettled(id));
  }

  /** What the channel had to ignore so far: a hostile or broken guest shows here, never in a result. */
  report(): AgentChannelReport {
    return {
      protocolErrors: this.protocolErrors,
      lastProtocolError: this.lastProtocolError,
      strayReplies: this.strayReplies,
      peakHeldChars: this.peakHeldChars,
      recentExchanges: this.exchanges.lines(),
    };
  }

  private onFrame(frame: GuestFrame): void {
    if (frame.kind === 'hello') {
      this.exchanges.add(`← HELLO${this.pending.size > 0 ? ` (sending the ${this.pending.size} waiting request(s) again)` : ''}`);
      this.markGreeted();
      for (const request of this.pending.values()) this.socket?.write(request.frame);
      return;
    }
    const oldest = () => this.pending.values().next().value;
    const request = this.options.ignoreRequestIds ? oldest() : (this.pending.get(frame.id) ?? (this.options.strayRepliesToOldest ? oldest() : undefined));
    // An id never sent, a duplicate, or a late answer to a request from before a reconnect: nobody
    // waits for it, and it must never reach a request that waits for its own.
    if (!request) {
      this.strayReplies++;
      this.exchanges.add(`← ${frame.id}: a reply no request waits for, ignored`);
      return;
    }
    this.pending.delete(request.id);
    clearTimeout(request.timer);
    const output = (bytes: Buffer) => (this.options.outputAsText ? Buffer.from(bytes.toString('utf8')) : bytes);
    const flags = `${frame.timedOut ? ', timed out' : ''}${frame.truncated ? ', truncated' : ''}`;
    this.exchanges.add(`← ${request.id}: exit ${frame.exitCode}${flags}, ${frame.stdout.length} B out, ${frame.stderr.length} B err, ${Date.now() - request.sentAt} ms`);
    request.resolve({
      exitCode: frame.exitCode,
      stdout: output(frame.stdout),
      stderr: output(frame.stderr),
      timedOut: frame.timedOut,
      truncated: frame.truncated && !this.options.ignoreTruncatedFlag,
      durationMs: Date.now() - request.sentAt,
    });
  }

  private dropConnection(reason: string): void {
    const socket = this.socket;
    if (socket) this.exchanges.add(`✗ ${reason}${this.pending.size > 0 ? ` with ${this.pending.size} request(s) waiting` : ''}`);
    this.socket = undefined;
    socket?.destroy();
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      if (!this.options.strandRequestsOnDisconnect) request.reject(new AgentChannelError(`${reason} while request ${request.id} was waiting`));
    }
    this.pending.clear();
  }
}
