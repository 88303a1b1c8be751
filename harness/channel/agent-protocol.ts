/**
 * Framing of the guest agent protocol (docs/agent-protocol.md). Pure: no sockets here, so the
 * framing is unit-tested against scripted bytes and the client only moves buffers.
 */

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

/** Single-quotes a value for sh: the only character that needs care inside '' is ' itself. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

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
  const script = Buffer.from(request.script).toString('base64');
  const body = request.stdin && request.stdin.length > 0 ? Buffer.from(request.stdin).toString('base64') : '';
  const header = `X ${request.id} ${timeout} ${limit} ${script} ${body.length}\n`;
  return Buffer.from(body.length > 0 ? `${header}${body}\n` : header);
}

/**
 * Streaming decoder for what the guest sends. Memory stays bounded whatever the guest writes:
 * each output field keeps at most `maxFieldBytes` decoded bytes and the rest is counted, not kept.
 */
export class FrameDecoder {
  private readonly maxFieldChars: number;
  private state: 'kind' | 'header' | 'stdout' | 'stderr' | 'skip' = 'kind';
  private kind = '';
  private header = '';
  private field: string[] = [];
  private fieldChars = 0;
  private overflowed = false;
  private stdout: Buffer = Buffer.alloc(0);

  constructor(maxFieldBytes: number, private readonly onFrame: (frame: GuestFrame) => void) {
    this.maxFieldChars = Math.ceil(maxFieldBytes / 3) * 4;
  }

  push(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    while (text.length > 0) text = this.step(text);
  }

  /** Consumes a prefix of `text` and returns the rest. */
  private step(text: string): string {
    switch (this.state) {
      case 'kind': {
        const kind = text[0];
        this.kind = kind;
        this.header = '';
        this.state = kind === 'H' || kind === 'R' ? 'header' : kind === '\n' ? 'kind' : 'skip';
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
          this.state = 'kind';
          return combined.slice(lineEnd + 1);
        }
        if (end < 0) {
          this.header = combined;
          if (this.header.length > 256) this.state = 'skip';
          return '';
        }
        this.header = combined.slice(0, end);
        const rest = combined.slice(end + 1);
        if (this.kind === 'H') {
          this.emitHello();
          this.state = 'kind';
        } else {
          this.startField('stdout');
        }
        return rest;
      }
      case 'stdout':
      case 'stderr': {
        const terminator = this.state === 'stdout' ? ' ' : '\n';
        const end = text.indexOf(terminator);
        this.collect(end < 0 ? text : text.slice(0, end));
        if (end < 0) return '';
        if (this.state === 'stdout') {
          this.stdout = this.finishField();
          this.startField('stderr');
        } else {
          this.emitReply(this.finishField());
          this.state = 'kind';
        }
        return text.slice(end + 1);
      }
      case 'skip': {
        const end = text.indexOf('\n');
        if (end < 0) return '';
        this.state = 'kind';
        return text.slice(end + 1);
      }
    }
  }

  private startField(state: 'stdout' | 'stderr'): void {
    this.state = state;
    this.field = [];
    this.fieldChars = 0;
    if (state === 'stdout') this.overflowed = false;
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
    return Buffer.from(this.field.join(''), 'base64');
  }

  private emitHello(): void {
    const [, pid, opens] = `H${this.header}`.split(' ');
    this.onFrame({ kind: 'hello', agentPid: Number(pid), opens: Number(opens) });
  }

  private emitReply(stderr: Buffer): void {
    const [, id, exitCode, flags] = `R${this.header}`.split(' ');
    this.onFrame({
      kind: 'reply',
      id,
      exitCode: Number(exitCode),
      timedOut: flags.includes('t'),
      truncated: flags.includes('T') || this.overflowed,
      stdout: this.stdout,
      stderr,
    });
  }
}

function nthIndexOf(text: string, needle: string, n: number): number {
  let index = -1;
  for (let seen = 0; seen < n; seen++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) return -1;
  }
  return index;
}
