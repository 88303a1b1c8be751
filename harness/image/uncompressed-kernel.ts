/**
 * The x86_64 kernel as a VMM boots it fastest: the vmlinux inside Debian's bzImage, entered at its PVH
 * entry point. A bzImage decompresses and relocates itself at every boot, about a fifth of each boot
 * under TCG; a VMM with PVH boot loads an ELF kernel that carries a PVH note straight into guest memory.
 */
import { execa } from 'execa';
import { gunzipSync } from 'node:zlib';
import { hostTool } from './host-tools.ts';

/** The vmlinux and the compression it was unpacked from, or why the bzImage is kept. */
export type UncompressedKernel = { vmlinux: Buffer; compression: string } | { keptBecause: string };

/** x86 boot protocol 2.08 added the payload's offset and length to the header. */
const PAYLOAD_FIELDS_PROTOCOL = 0x0208;
/** XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit entry point a VMM's PVH boot jumps to. */
const PVH_ENTRY_NOTE = 18;
const PT_NOTE = 4;

interface Compression {
  /** Also the host tool that unpacks it (`-dc`), except gzip's, which is unpacked in process. */
  name: string;
  magic: Buffer;
}

const COMPRESSIONS: Compression[] = [
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b]) },
  { name: 'lz4', magic: Buffer.from([0x02, 0x21, 0x4c, 0x18]) },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
];

export async function uncompressedKernel(bzImage: Buffer): Promise<UncompressedKernel> {
  if (bzImage.length < 0x250 || bzImage.toString('latin1', 0x202, 0x206) !== 'HdrS') return { keptBecause: 'not a bzImage' };
  if (bzImage.readUInt16LE(0x206) < PAYLOAD_FIELDS_PROTOCOL) return { keptBecause: 'its boot protocol predates the payload fields' };
  const setupSectors = bzImage[0x1f1] || 4;
  const start = (setupSectors + 1) * 512 + bzImage.readUInt32LE(0x248);
  const payload = bzImage.subarray(start, start + bzImage.readUInt32LE(0x24c));
  const compression = COMPRESSIONS.find((candidate) => payload.subarray(0, candidate.magic.length).equals(candidate.magic));
  if (!compression) return { keptBecause: `its payload is compressed in a format the builder does not unpack (magic ${payload.subarray(0, 4).toString('hex')})` };

  const vmlinux = compression.name === 'gzip' ? gunzipSync(payload) : await unpackWithHostTool(compression.name, payload);
  if (!hasPvhEntry(vmlinux)) return { keptBecause: 'its vmlinux has no PVH entry note, so a VMM could not boot it directly' };
  return { vmlinux, compression: compression.name };
}

/** The kernel build appends the unpacked size to every payload but gzip's (which has its own): checked here. */
async function unpackWithHostTool(tool: string, payload: Buffer): Promise<Buffer> {
  const size = payload.readUInt32LE(payload.length - 4);
  const result = await execa(await hostTool(tool), ['-dc'], { input: payload.subarray(0, -4), encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 });
  const vmlinux = Buffer.from(result.stdout);
  if (vmlinux.length !== size) throw new Error(`${tool} unpacked the kernel to ${vmlinux.length} bytes, but its header says ${size}`);
  return vmlinux;
}

/** An x86-64 ELF with a Xen PHYS32_ENTRY note, the entry a VMM's PVH boot uses. */
export function hasPvhEntry(elf: Buffer): boolean {
  if (elf.length < 64 || elf.toString('latin1', 0, 4) !== '\x7fELF' || elf[4] !== 2 || elf.readUInt16LE(18) !== 62) return false;
  const tableOffset = Number(elf.readBigUInt64LE(0x20));
  const entrySize = elf.readUInt16LE(0x36);
  const entries = elf.readUInt16LE(0x38);
  for (let i = 0; i < entries; i++) {
    const header = tableOffset + i * entrySize;
    if (header + 0x28 > elf.length || elf.readUInt32LE(header) !== PT_NOTE) continue;
    const offset = Number(elf.readBigUInt64LE(header + 8));
    const end = Math.min(elf.length, offset + Number(elf.readBigUInt64LE(header + 0x20)));
    for (let note = offset; note + 12 <= end; ) {
      const nameSize = elf.readUInt32LE(note);
      const descSize = elf.readUInt32LE(note + 4);
      const type = elf.readUInt32LE(note + 8);
      const name = elf.toString('latin1', note + 12, note + 12 + nameSize).replace(/\0+$/, '');
      if (name === 'Xen' && type === PVH_ENTRY_NOTE) return true;
      note += 12 + align4(nameSize) + align4(descSize);
    }
  }
  return false;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
