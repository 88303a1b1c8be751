/** The decoder against what a hostile or broken guest writes: every bad stretch is reported, none is kept. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AgentProtocolError, FrameDecoder, type FrameDecoderOptions, type GuestFrame } from '../../harness/channel/agent-protocol.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const goodReply = `R id-1 0 - ${b64('ok')} \n`;
const expectedReply: GuestFrame = { kind: 'reply', id: 'id-1', exitCode: 0, timedOut: false, truncated: false, stdout: Buffer.from('ok'), stderr: Buffer.alloc(0) };

function decode(wire: Buffer | string, options: FrameDecoderOptions = {}, chunkBytes = 4096) {
  const frames: GuestFrame[] = [];
  const errors: AgentProtocolError[] = [];
  const decoder = new FrameDecoder(1024, (frame) => frames.push(frame), { onProtocolError: (error) => errors.push(error), ...options });
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) decoder.push(bytes.subarray(offset, offset + chunkBytes));
  return { frames, errors, decoder };
}

describe('agent protocol framing of hostile input', () => {
  it('reports random bytes as protocol errors and still decodes the good reply after them', () => {
    const wire = Buffer.concat([randomBytes(64 * 1024), Buffer.from(`\n${goodReply}`)]);
    const { frames, errors } = decode(wire);
    expect(frames.filter((frame) => frame.kind === 'reply')).toEqual([expectedReply]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error instanceof AgentProtocolError && /^the guest agent sent /.test(error.message))).toBe(true);
  });

  it('does not hand a reply cut after its stdout to anyone, nor let it swallow the next frame', () => {
    for (let cut = 1; cut < 40; cut++) {
      const wire = `R id-1 0 - ${b64('half')}\n${goodReply}`;
      const { frames, errors } = decode(wire, {}, cut);
      expect(frames).toEqual([expectedReply]);
      expect(errors.map((error) => error.message)).toEqual(['the guest agent sent a reply cut short in its output (no stderr field)']);
    }
  });

  it('rejects malformed hellos and reply headers instead of passing on NaN or bad ids', () => {
    const { frames, errors } = decode(`H not-a-pid\nR BAD_ID 0 - ${b64('x')} \nR id-1 x -  \n${goodReply}H 7 2\n`);
    expect(frames).toEqual([expectedReply, { kind: 'hello', agentPid: 7, opens: 2 }]);
    expect(errors.map((error) => error.message)).toEqual([
      'the guest agent sent a malformed hello: "H not-a-pid"',
      `the guest agent sent a reply with a malformed header: "R BAD_ID 0 -"`,
      'the guest agent sent a reply with a malformed header: "R id-1 x -"',
    ]);
  });

  it('holds no more than its header limit of an endless line without a frame end', () => {
    const endless = `R${'A'.repeat(200_000)}\n`;
    const bounded = decode(endless + goodReply, { maxHeaderChars: 256 }, 1000);
    expect(bounded.frames).toEqual([expectedReply]);
    expect(bounded.errors.map((error) => error.message)).toEqual([expect.stringMatching(/^the guest agent sent a frame header longer than 256 characters: "RAAAA/)]);
    expect(bounded.decoder.peakHeldChars).toBeLessThanOrEqual(256 + 1000);

    // The fault client-unbounded-line-buffer: the whole line is kept until its newline.
    const unbounded = decode(endless + goodReply, { maxHeaderChars: Infinity }, 1000);
    expect(unbounded.decoder.peakHeldChars).toBeGreaterThan(199_000);
  });

  it('holds nothing once a frame is done', () => {
    const { decoder } = decode(`${goodReply}H 1 1\n`);
    expect(decoder.heldChars).toBe(0);
  });
});
