import { describe, expect, it } from 'vitest';
import { overheadFromSmaps } from '../../harness/runtime/qemu/vmm-overhead.ts';

const mapping = (header: string, sizeKiB: number, rssKiB: number) => `${header}\nSize:           ${sizeKiB} kB\nKernelPageSize:        4 kB\nRss:            ${rssKiB} kB\nPss:            ${rssKiB} kB\n`;

describe('the VMM overhead from its memory map', () => {
  const smaps = [
    mapping('55d0c0000000-55d0c1000000 r-xp 00000000 fe:00 123                        /usr/bin/qemu-system-x86_64', 16384, 9000),
    mapping('7f6fafe00000-7f6fbfe00000 rw-p 00000000 00:00 0 ', 262144, 86016),
    mapping('7f6fc8000000-7f6fcffff000 rwxp 00000000 00:00 0 ', 131068, 16384),
    mapping('7f6fd0000000-7f6fd0021000 rw-p 00000000 00:00 0', 132, 132),
  ].join('');

  it('is everything resident but the anonymous mapping of the guest RAM size', () => {
    expect(overheadFromSmaps(smaps, 256 * 1024 * 1024, 1)).toBe((9000 + 16384 + 132) * 1024);
  });

  it('says so when no mapping is the guest RAM', () => {
    expect(() => overheadFromSmaps(smaps, 512 * 1024 * 1024, 7)).toThrow(/no anonymous mapping of the guest's 512 MiB in \/proc\/7\/smaps/);
  });
});
