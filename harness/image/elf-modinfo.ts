/**
 * Reads a kernel module's .modinfo section (name=, depends=, ...) straight from the ELF file.
 * The guest has no modules.dep and the host may have no modinfo (kmod), so the builder parses
 * the section itself; it works for any architecture's modules.
 */

export function readModinfo(elf: Buffer): Map<string, string[]> {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const is64 = elf[4] === 2;
  const le = elf[5] === 1;
  const u16 = (at: number) => (le ? elf.readUInt16LE(at) : elf.readUInt16BE(at));
  const u32 = (at: number) => (le ? elf.readUInt32LE(at) : elf.readUInt32BE(at));
  const word = (at: number) => (is64 ? Number(le ? elf.readBigUInt64LE(at) : elf.readBigUInt64BE(at)) : u32(at));

  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  const section = (index: number) => {
    const at = shoff + index * shentsize;
    if (at + shentsize > elf.length) throw new Error('ELF section header out of range');
    return is64
      ? { name: u32(at), offset: word(at + 0x18), size: word(at + 0x20) }
      : { name: u32(at), offset: u32(at + 0x10), size: u32(at + 0x14) };
  };
  const names = section(shstrndx);
  const nameAt = (offset: number) => {
    const start = names.offset + offset;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };

  const info = new Map<string, string[]>();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameAt(s.name) !== '.modinfo') continue;
    for (const entry of elf.toString('utf8', s.offset, s.offset + s.size).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const key = entry.slice(0, eq);
      info.set(key, [...(info.get(key) ?? []), entry.slice(eq + 1)]);
    }
    return info;
  }
  throw new Error('ELF file has no .modinfo section (not a kernel module?)');
}

/** A module's hard dependencies: the comma-separated depends= entry, empty when it has none. */
export function modinfoDepends(info: Map<string, string[]>): string[] {
  return (info.get('depends') ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean);
}
