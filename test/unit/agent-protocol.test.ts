import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { encodeExecRequest, FrameDecoder, printfEscaped, scriptWithEnv, type GuestFrame } from '../../harness/channel/agent-protocol.ts';

function decodeAll(chunks: string[], maxFieldBytes = 1024): GuestFrame[] {
  const frames: GuestFrame[] = [];
  const decoder = new FrameDecoder(maxFieldBytes, (frame) => frames.push(frame));
  for (const chunk of chunks) decoder.push(Buffer.from(chunk, 'latin1'));
  return frames;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('agent protocol framing', () => {
  it('encodes an exec request as one header line, stdin as a counted body', () => {
    const frame = encodeExecRequest({ id: 'ab-1', script: 'echo hi', timeoutSeconds: 2.2, outputLimitBytes: 100, stdin: Buffer.from('xyz') });
    expect(frame.toString()).toBe(`X ab-1 3 100 echo\\0040hi 4\n${b64('xyz')}\n`);
  });

  it("sends the script in escapes that a shell's printf %b turns back into every byte", async () => {
    const bytes = Buffer.from([...Array(256).keys(), ...Buffer.from("export A='x y'\nprintf '%s\\n' \"$A\" # \\c")]);
    const field = printfEscaped(bytes);
    expect(field).toMatch(/^[^\s]+$/);
    const decoded = await execa('sh', ['-c', 'printf %b "$1"', 'sh', field], { encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.from(decoded.stdout).equals(bytes)).toBe(true);
  });

  it('omits the body when there is no stdin', () => {
    expect(encodeExecRequest({ id: 'a', script: 'true', timeoutSeconds: 1, outputLimitBytes: 1 }).toString()).toBe('X a 1 1 true 0\n');
  });

  it('rejects ids the guest would not accept', () => {
    expect(() => encodeExecRequest({ id: 'a b', script: 'true', timeoutSeconds: 1, outputLimitBytes: 1 })).toThrow(/invalid request id/);
  });

  it('quotes environment values for sh, including single quotes', () => {
    expect(scriptWithEnv('env', { A: "x'y", B: '' })).toBe(`export A='x'\\''y'\nexport B=''\nenv`);
    expect(() => scriptWithEnv('env', { 'BAD-NAME': '1' })).toThrow(/invalid environment variable name/);
  });

  it('decodes hellos and replies split at arbitrary points', () => {
    const wire = `H 42 1\nR id-1 3 - ${b64('out')} ${b64('err')}\nR id-2 0 tT  \n`;
    for (let cut = 1; cut < wire.length; cut++) {
      const frames = decodeAll([wire.slice(0, cut), wire.slice(cut)]);
      expect(frames).toEqual([
        { kind: 'hello', agentPid: 42, opens: 1 },
        { kind: 'reply', id: 'id-1', exitCode: 3, timedOut: false, truncated: false, stdout: Buffer.from('out'), stderr: Buffer.from('err') },
        { kind: 'reply', id: 'id-2', exitCode: 0, timedOut: true, truncated: true, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) },
      ]);
    }
  });

  it('keeps at most the field limit of a hostile, endless reply and marks it truncated', () => {
    const huge = b64('x'.repeat(30_000));
    const frames = decodeAll([`R id-9 0 - `, huge.slice(0, 10_000), huge.slice(10_000), ` ${b64('e')}\n`], 300);
    expect(frames).toHaveLength(1);
    const reply = frames[0] as Extract<GuestFrame, { kind: 'reply' }>;
    expect(reply.truncated).toBe(true);
    expect(reply.stdout.length).toBe(300);
    expect(reply.stderr.toString()).toBe('e');
  });

  it('keeps exactly a limit that is no multiple of 3, even of a field one byte over it (an agent that did not cut)', () => {
    const frames = decodeAll([`R id-7 0 - ${b64('y'.repeat(1025))} \n`], 1024);
    const reply = frames[0] as Extract<GuestFrame, { kind: 'reply' }>;
    expect(reply.stdout.length).toBe(1024);
    expect(reply.truncated).toBe(true);
  });

  it('does not let a reply fragment that starts with R swallow the next reply', () => {
    // The tail of a reply cut by a host reconnect: base64 with its one space, starting with an R.
    const fragment = `RWxk ${b64('old-err')}\n`;
    for (let cut = 1; cut < fragment.length + 4; cut++) {
      const wire = `${fragment}R id-2 0 - ${b64('new')} \n`;
      const frames = decodeAll([wire.slice(0, cut), wire.slice(cut)]);
      expect(frames).toEqual([
        { kind: 'reply', id: 'id-2', exitCode: 0, timedOut: false, truncated: false, stdout: Buffer.from('new'), stderr: Buffer.alloc(0) },
      ]);
    }
  });

  it('skips garbage lines (fragments cut by a port reopen) and recovers at the next frame', () => {
    const frames = decodeAll([`QUJD\nzzz yyy\nH 7 2\n`]);
    expect(frames).toEqual([{ kind: 'hello', agentPid: 7, opens: 2 }]);
  });
});
