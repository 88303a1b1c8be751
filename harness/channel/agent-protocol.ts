/**
 * Framing of the guest agent protocol (docs/agent-protocol.md). Pure: no sockets here, so the
 * framing is unit-tested against scripted bytes and the client only moves buffers.
 */
import { AGENT_CHANNEL } from './limits.ts';
import { shellQuote } from '../text/shell-quote.ts';

export interface ExecRequest {
  id: string;
  /** Shell text run by the guest's sh, environment exports first. */
  script: string;
  timeoutSeconds: number;
  outputLimitBytes: number;
  stdin?: Uint8Array;
}

export type GuestFrame =
  | { kind: 'hello'; agentPid: number; opens: number }
  | {
      kind: 'reply';
      id: string;
      exitCode: number;
      timedOut: boolean;
      truncated: boolean;
      stdout: Buffer;
      stderr: Buffer;
    };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REQUEST_ID = /^[0-9a-z-]+$/;

export function scriptWithEnv(command: string, env: Record<string, string> = {}): string {
  const exports = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
    return `export ${name}=${shellQuote(value)}\n`;
  });
  return exports.join('') + command;
}

export function encodeExecRequest(request: ExecRequest): Buffer {
  if (!REQUEST_ID.test(request.id)) throw new Error(`invalid request id: ${request.id}`);
  const timeout = Math.max(1, Math.ceil(request.timeoutSeconds));
  const limit = Math.max(0, Math.floor(request.outputLimitBytes));
  const script = printfEscaped(Buffer.from(request.script));
  const body = request.stdin && request.stdin.length > 0 ? Buffer.from(request.stdin).toString('base64') : '';
  const header = `X ${request.id} ${timeout} ${limit} ${script} ${body.length}\n`;
  return Buffer.from(body.length > 0 ? `${header}${body}\n` : header);
}

/**
 * Bytes as one header field the guest decodes with its shell's builtin `printf %b`: every byte but a
 * few plain ones as an octal escape, so the field holds no space, newline or lone backslash.
 */
export function printfEscaped(bytes: Buffer): string {
  let field = '';
  for (const byte of bytes) field += PLAIN_BYTE.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`;
  return field;
}

const PLAIN_BYTE = /^[A-Za-z0-9._\/=:-]$/;

/** What the guest sent was no frame of the protocol: garbage, a cut frame, or a malformed header. */
export class AgentProtocolError extends Error {
  override name = 'AgentProtocolError';
}

export interface FrameDecoderOptions {
  /** Called for each stretch of input that is no frame; the decoder then skips to the next line. */
  onProtocolError?: (error: AgentProtocolError) => void;
  /**
   * Longest frame header kept while waiting for its end; a longer one is garbage and skipped. Infinity
   * is the fault `client-unbounded-line-buffer`: a client that keeps every line whole until its newline.
   */
  maxHeaderChars?: number;
  /** The fault `client-keeps-bad-input`: every stretch of bad input skipped is kept, never let go. */
  keepBadInput?: boolean;
}

/** Characters of bad input quoted in a protocol error. */
const PREVIEW_CHARS = 24;

/**
 * Streaming decoder for what the guest sends. Memory stays bounded whatever the guest writes:
 * each output field keeps at most `maxFieldBytes` decoded bytes and the rest is counted, not kept;
 * a header longer than its limit is skipped to the next newline, never buffered.
 */
export class FrameDecoder {
  private readonly maxFieldChars: number;
  private readonly maxFieldBytes: number;
  private readonly maxHeaderChars: number;
  private state: 'kind' | 'header' | 'stdout' | 'stderr' | 'skip' = 'kind';
  private kind = '';
  private header = '';
  private field: string[] = [];
  private fieldChars = 0;
  private overflowed = false;
  private stdout: Buffer = Buffer.alloc(0);
  private peakHeld = 0;
  private readonly badInput: string[] | undefined;

  constructor(
    maxFieldBytes: number,
    private readonly onFrame: (frame: GuestFrame) => void,
    private readonly options: FrameDecoderOptions = {},
  ) {
    // Whole base64 groups of 3 bytes: a limit that is no multiple of 3 is cut again once decoded.
    this.maxFieldChars = Math.ceil(maxFieldBytes / 3) * 4;
    this.maxFieldBytes = maxFieldBytes;
    this.maxHeaderChars = options.maxHeaderChars ?? AGENT_CHANNEL.maxHeaderChars;
    this.badInput = options.keepBadInput ? [] : undefined;
  }

  /** Characters held for the frame being read (header, fields); the guest cannot push it past the limits. */
  get heldChars(): number {
    return this.header.length + this.fieldChars + (this.state === 'stderr' ? this.stdout.length : 0);
  }

  /** The most `heldChars` ever was. */
  get peakHeldChars(): number {
    return this.peakHeld;
  }

  push(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    while (text.length > 0) {
      text = this.step(text);
      this.peakHeld = Math.max(this.peakHeld, this.heldChars);
    }
  }

  /** Consumes a prefix of `text` and returns the rest. */
  private step(text: string): string {
    switch (this.state) {
      case 'kind': {
        const kind = text[0]!;
        this.kind = kind;
        this.header = '';
        if (kind === 'H' || kind === 'R') this.state = 'header';
        else if (kind !== '\n') this.reject(`a line that starts with no frame: ${preview(text)}`);
        return text.slice(1);
      }
      case 'header': {
        // R headers end at the space before stdout; H frames end at the newline.
        const combined = this.header + text;
        const lineEnd = combined.indexOf('\n');
        const end = this.kind === 'R' ? nthIndexOf(combined, ' ', 4) : lineEnd;
        // A line that ends inside an R header is no frame but the tail of one cut by a host reconnect
        // (base64 can start with R): read on, it would swallow the header of the next, real reply.
        if (this.kind === 'R' && lineEnd >= 0 && (end < 0 || lineEnd < end)) {
          this.header = '';
          this.reject(`a reply cut short in its header: ${preview(`R${combined}`)}`, 'kind');
          return combined.slice(lineEnd + 1);
        }
        if (end < 0) {
          this.header = combined;
          if (this.header.length > this.maxHeaderChars) {
            this.header = '';
            this.reject(`a frame header longer than ${this.maxHeaderChars} characters: ${preview(`${this.kind}${combined}`)}`);
          }
          return '';
        }
        this.header = combined.slice(0, end);
        const rest = combined.slice(end + 1);
        if (this.kind === 'H') this.emitHello();
        else this.startField('stdout');
        return rest;
      }
      case 'stdout':
      case 'stderr': {
        const terminator = this.state === 'stdout' ? ' ' : '\n';
        const end = text.indexOf(terminator);
        const lineEnd = this.state === 'stdout' ? text.indexOf('\n') : -1;
        // A newline before the space that ends stdout: the reply was cut, and the next line is a new frame.
        if (lineEnd >= 0 && (end < 0 || lineEnd < end)) {
          this.header = '';
          this.clearField();
          this.reject(`a reply cut short in its output (no stderr field)`, 'kind');
          return text.slice(lineEnd + 1);
        }
        this.collect(end < 0 ? text : text.slice(0, end));
        if (end < 0) return '';
        if (this.state === 'stdout') {
          this.stdout = this.finishField();
          this.startField('stderr');
        } else {
          this.emitReply(this.finishField());
        }
        return text.slice(end + 1);
      }
      case 'skip': {
        const end = text.indexOf('\n');
        this.badInput?.push(end < 0 ? text : text.slice(0, end));
        if (end < 0) return '';
        this.state = 'kind';
        return text.slice(end + 1);
      }
    }
  }

  /** Reports bad input; the decoder goes on at `next` ('skip': the rest of this line is dropped too). */
  private reject(what: string, next: 'skip' | 'kind' = 'skip'): void {
    this.state = next;
    this.options.onProtocolError?.(new AgentProtocolError(`the guest agent sent ${what}`));
  }

  private startField(state: 'stdout' | 'stderr'): void {
    this.state = state;
    this.clearField();
    if (state === 'stdout') {
      this.overflowed = false;
      this.stdout = Buffer.alloc(0);
    }
  }

  private collect(part: string): void {
    const room = this.maxFieldChars - this.fieldChars;
    if (part.length > room) this.overflowed = true;
    const kept = part.slice(0, Math.max(0, room));
    if (kept.length > 0) {
      this.field.push(kept);
      this.fieldChars += kept.length;
    }
  }

  private finishField(): Buffer {
    const field = Buffer.from(this.field.join(''), 'base64');
    this.clearField();
    if (field.length <= this.maxFieldBytes) return field;
    this.overflowed = true;
    return field.subarray(0, this.maxFieldBytes);
  }

  private clearField(): void {
    this.field = [];
    this.fieldChars = 0;
  }

  private emitHello(): void {
    const header = this.header;
    this.header = '';
    this.state = 'kind';
    const match = HELLO_HEADER.exec(header);
    if (!match) return this.reject(`a malformed hello: ${preview(`H${header}`)}`, 'kind');
    this.onFrame({ kind: 'hello', agentPid: Number(match[1]), opens: Number(match[2]) });
  }

  private emitReply(stderr: Buffer): void {
    const header = this.header;
    const stdout = this.stdout;
    this.header = '';
    this.stdout = Buffer.alloc(0);
    this.state = 'kind';
    const match = REPLY_HEADER.exec(header);
    if (!match) return this.reject(`a reply with a malformed header: ${preview(`R${header}`)}`, 'kind');
    const [, id, exitCode, flags] = match;
    this.onFrame({
      kind: 'reply',
      id: id!,
      exitCode: Number(exitCode),
      timedOut: flags!.includes('t'),
      truncated: flags!.includes('T') || this.overflowed,
      stdout,
      stderr,
    });
  }
}

/** What follows the H and the R of well-formed frames (docs/agent-protocol.md). */
const HELLO_HEADER = /^ ([0-9]+) ([0-9]+)(?: [ -~]*)?$/;
const REPLY_HEADER = /^ ([0-9a-z-]+) ([0-9]{1,3}) ([-tT]+)$/;

/** A few characters of bad input, printable whatever bytes they were. */
function preview(text: string): string {
  const shown = JSON.stringify(text.slice(0, PREVIEW_CHARS));
  return text.length > PREVIEW_CHARS ? `${shown}…` : shown;
}

function nthIndexOf(text: string, needle: string, n: number): number {
  let index = -1;
  for (let seen = 0; seen < n; seen++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) return -1;
  }
  return index;
}
