import { describe, expect, it } from 'vitest';
import { modinfoDepends, readModinfo } from '../../harness/image/elf-modinfo.ts';
import { loadOrder, moduleListFile, moduleName, type ModuleGraph } from '../../harness/image/kernel-modules.ts';

/** depends= of the Debian 6.1 cloud kernel's modules, as read from the real .ko files. */
const DEBIAN_61: Record<string, string[]> = {
  virtio_ring: [],
  virtio: ['virtio_ring'],
  virtio_mmio: ['virtio', 'virtio_ring'],
  virtio_pci_legacy_dev: [],
  virtio_pci_modern_dev: [],
  virtio_pci: ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio'],
  virtio_balloon: ['virtio', 'virtio_ring'],
  virtio_blk: ['virtio', 'virtio_ring'],
  virtio_console: ['virtio', 'virtio_ring'],
  zsmalloc: [],
  zram: ['zsmalloc'],
  lzo_rle: [],
};

function graph(deps: Record<string, string[]>, builtin: string[] = []): ModuleGraph {
  return { depends: (name) => deps[name], isBuiltin: (name) => builtin.includes(name) };
}

describe('loadOrder', () => {
  it('puts every module after its dependencies, keeping the recipe order otherwise', () => {
    const order = loadOrder(['virtio_balloon', 'virtio_blk', 'virtio_pci', 'zram'], graph(DEBIAN_61));
    expect(order).toEqual([
      'virtio_ring', 'virtio', 'virtio_balloon', 'virtio_blk',
      'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'zsmalloc', 'zram',
    ]);
    for (const [i, name] of order.entries()) {
      for (const dep of DEBIAN_61[name]!) expect(order.indexOf(dep)).toBeLessThan(i);
    }
  });

  it('gives the recipe order unchanged when it is already valid, and adds zsmalloc for zram', () => {
    const recipe = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci',
      'virtio_balloon', 'virtio_blk', 'virtio_console', 'zram', 'lzo_rle'];
    expect(loadOrder(recipe, graph(DEBIAN_61))).toEqual([...recipe.slice(0, 9), 'zsmalloc', 'zram', 'lzo_rle']);
  });

  it('lists each module once', () => {
    expect(loadOrder(['virtio_blk', 'virtio_blk', 'virtio'], graph(DEBIAN_61))).toEqual(['virtio_ring', 'virtio', 'virtio_blk']);
  });

  it('skips built-in modules, including built-in dependencies', () => {
    expect(loadOrder(['virtio_blk'], graph(DEBIAN_61, ['virtio', 'virtio_ring']))).toEqual(['virtio_blk']);
  });

  it('accepts file names with dashes for module names with underscores', () => {
    expect(loadOrder(['lzo-rle'], graph(DEBIAN_61))).toEqual(['lzo_rle']);
    expect(moduleName('/lib/modules/x/kernel/crypto/lzo-rle.ko.xz')).toBe('lzo_rle');
  });

  it('names the chain that needs a missing module', () => {
    expect(() => loadOrder(['a'], graph({ a: ['b'], b: ['c'] }))).toThrow(/no module c \(needed by a -> b\)/);
  });

  it('rejects dependency cycles', () => {
    expect(() => loadOrder(['a'], graph({ a: ['b'], b: ['a'] }))).toThrow(/cycle: a -> b -> a/);
  });
});

describe('moduleListFile', () => {
  it('writes one "name deps" line per module, "-" for none', () => {
    expect(moduleListFile([{ name: 'virtio_ring', depends: [] }, { name: 'virtio', depends: ['virtio_ring'] }]))
      .toBe('virtio_ring -\nvirtio virtio_ring\n');
  });
});

/** A minimal relocatable ELF with a .modinfo section, 64- or 32-bit, either byte order. */
function fakeModule(entries: string[], bits: 32 | 64, littleEndian: boolean): Buffer {
  const modinfo = Buffer.from(`${entries.join('\0')}\0`);
  const shstrtab = Buffer.from('\0.modinfo\0.shstrtab\0');
  const ehsize = bits === 64 ? 64 : 52;
  const shentsize = bits === 64 ? 64 : 40;
  const modinfoAt = ehsize;
  const shstrAt = modinfoAt + modinfo.length;
  const shoff = shstrAt + shstrtab.length;
  const elf = Buffer.alloc(shoff + 3 * shentsize);
  const w16 = (v: number, at: number) => (littleEndian ? elf.writeUInt16LE(v, at) : elf.writeUInt16BE(v, at));
  const w32 = (v: number, at: number) => (littleEndian ? elf.writeUInt32LE(v, at) : elf.writeUInt32BE(v, at));
  const wWord = (v: number, at: number) =>
    bits === 64 ? (littleEndian ? elf.writeBigUInt64LE(BigInt(v), at) : elf.writeBigUInt64BE(BigInt(v), at)) : w32(v, at);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = bits === 64 ? 2 : 1;
  elf[5] = littleEndian ? 1 : 2;
  elf[6] = 1;
  wWord(shoff, bits === 64 ? 0x28 : 0x20);
  w16(shentsize, bits === 64 ? 0x3a : 0x2e);
  w16(3, bits === 64 ? 0x3c : 0x30);
  w16(2, bits === 64 ? 0x3e : 0x32);
  modinfo.copy(elf, modinfoAt);
  shstrtab.copy(elf, shstrAt);
  const section = (index: number, name: number, offset: number, size: number) => {
    const at = shoff + index * shentsize;
    w32(name, at);
    w32(index === 0 ? 0 : index === 1 ? 1 : 3, at + 4);
    if (bits === 64) {
      wWord(offset, at + 0x18);
      wWord(size, at + 0x20);
    } else {
      w32(offset, at + 0x10);
      w32(size, at + 0x14);
    }
  };
  section(0, 0, 0, 0);
  section(1, 1, modinfoAt, modinfo.length);
  section(2, 10, shstrAt, shstrtab.length);
  return elf;
}

describe('readModinfo', () => {
  for (const [bits, le] of [[64, true], [32, false]] as const) {
    it(`reads depends= and name= of a ${bits}-bit ${le ? 'little' : 'big'}-endian module`, () => {
      const info = readModinfo(fakeModule(['license=GPL', 'depends=virtio,virtio_ring', 'name=virtio_blk', 'alias=a', 'alias=b'], bits, le));
      expect(info.get('name')).toEqual(['virtio_blk']);
      expect(info.get('alias')).toEqual(['a', 'b']);
      expect(modinfoDepends(info)).toEqual(['virtio', 'virtio_ring']);
    });
  }

  it('treats an empty depends= as no dependencies', () => {
    expect(modinfoDepends(readModinfo(fakeModule(['depends=', 'name=virtio_ring'], 64, true)))).toEqual([]);
  });

  it('rejects a file that is not ELF', () => {
    expect(() => readModinfo(Buffer.alloc(128))).toThrow(/not an ELF/);
  });
});
