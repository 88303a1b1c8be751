import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hasPvhEntry, uncompressedKernel } from '../../harness/image/uncompressed-kernel.ts';

/** A minimal x86-64 ELF with one PT_NOTE segment holding a note of `type` named `owner`. */
function elfWithNote(owner: string, type: number): Buffer {
  const name = Buffer.alloc(Math.ceil((owner.length + 1) / 4) * 4);
  name.write(owner, 'latin1');
  const note = Buffer.concat([u32s(owner.length + 1, 4, type), name, Buffer.alloc(4)]);
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeUInt16LE(62, 18); // x86-64
  header.writeBigUInt64LE(64n, 0x20); // program headers right after
  header.writeUInt16LE(56, 0x36);
  header.writeUInt16LE(1, 0x38);
  const programHeader = Buffer.alloc(56);
  programHeader.writeUInt32LE(4, 0); // PT_NOTE
  programHeader.writeBigUInt64LE(120n, 8);
  programHeader.writeBigUInt64LE(BigInt(note.length), 0x20);
  return Buffer.concat([header, programHeader, note]);
}

function u32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeUInt32LE(value, i * 4));
  return buffer;
}

/** A bzImage header (one setup sector) followed by `payload`, as the x86 boot protocol lays it out. */
function bzImage(payload: Buffer, protocol = 0x020f): Buffer {
  const setup = Buffer.alloc(2 * 512);
  setup[0x1f1] = 1;
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(protocol, 0x206);
  setup.writeUInt32LE(16, 0x248); // payload offset within the protected-mode part
  setup.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([setup, Buffer.alloc(16), payload, Buffer.alloc(32)]);
}

const pvhElf = elfWithNote('Xen', 18);

describe('the uncompressed kernel of a bzImage', () => {
  it('is its gzip payload when that is an ELF with a PVH entry', async () => {
    expect(await uncompressedKernel(bzImage(gzipSync(pvhElf)))).toEqual({ vmlinux: pvhElf, compression: 'gzip' });
  });

  it.each([
    ['lz4', ['-l', '-c']],
    ['xz', ['--check=crc32', '-c']],
    ['zstd', ['-q', '-c']],
  ])('unpacks a %s payload (the kernel build appends the size) with the host tool, checking the size', async (tool, args) => {
    const packed = execFileSync(tool, args, { input: pvhElf });
    expect(await uncompressedKernel(bzImage(Buffer.concat([packed, u32s(pvhElf.length)])))).toEqual({ vmlinux: pvhElf, compression: tool });
    await expect(uncompressedKernel(bzImage(Buffer.concat([packed, u32s(pvhElf.length + 1)])))).rejects.toThrow(/header says/);
  });

  it('is not made, with the reason, when QEMU could not boot it directly or it cannot be found', async () => {
    expect(await uncompressedKernel(bzImage(gzipSync(elfWithNote('Xen', 17))))).toEqual({ keptBecause: expect.stringMatching(/no PVH entry/) });
    expect(await uncompressedKernel(bzImage(Buffer.from('BZh91AY&SY')))).toEqual({ keptBecause: expect.stringMatching(/format the builder does not unpack/) });
    expect(await uncompressedKernel(bzImage(gzipSync(pvhElf), 0x0206))).toEqual({ keptBecause: expect.stringMatching(/predates/) });
    expect(await uncompressedKernel(pvhElf)).toEqual({ keptBecause: 'not a bzImage' });
  });
});

describe('hasPvhEntry', () => {
  it('finds the Xen PHYS32_ENTRY note and nothing else', () => {
    expect(hasPvhEntry(pvhElf)).toBe(true);
    expect(hasPvhEntry(elfWithNote('GNU', 18))).toBe(false);
    expect(hasPvhEntry(Buffer.from('not an elf at all, long enough to hold a header........................'))).toBe(false);
  });
});
