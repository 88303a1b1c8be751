import { describe, expect, it } from 'vitest';
import { appletLinks, busyboxApplets } from '../../harness/image/busybox.ts';
import { writeCpioNewc, type CpioEntry } from '../../harness/image/cpio-newc.ts';
import { concreteKernel, parseStanza } from '../../harness/image/debian-packages.ts';
import { initramfsEntries } from '../../harness/image/initramfs.ts';

interface Parsed { name: string; mode: number; uid: number; mtime: number; rdev: [number, number]; data: Buffer }

/** Reads a newc archive back, checking the alignment rules the kernel's unpacker relies on. */
function parseNewc(archive: Buffer): Parsed[] {
  const out: Parsed[] = [];
  let pos = 0;
  for (;;) {
    expect(pos % 4).toBe(0);
    expect(archive.toString('latin1', pos, pos + 6)).toBe('070701');
    const field = (i: number) => parseInt(archive.toString('latin1', pos + 6 + i * 8, pos + 14 + i * 8), 16);
    const [mode, uid, mtime, size, rdevMajor, rdevMinor, nameSize] = [field(1), field(2), field(5), field(6), field(9), field(10), field(11)];
    const name = archive.toString('utf8', pos + 110, pos + 110 + nameSize - 1);
    pos += 110 + nameSize;
    pos += (4 - (pos % 4)) % 4;
    const data = archive.subarray(pos, pos + size);
    pos += size + ((4 - (size % 4)) % 4);
    if (name === 'TRAILER!!!') break;
    out.push({ name, mode, uid, mtime, rdev: [rdevMajor, rdevMinor], data });
  }
  expect(pos).toBe(archive.length);
  return out;
}

describe('writeCpioNewc', () => {
  const entries: CpioEntry[] = [
    { path: 'init', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
    { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
    { path: 'bin/sh', type: 'symlink', target: 'busybox' },
    { path: 'dev', type: 'dir', mode: 0o755 },
    { path: 'bin', type: 'dir', mode: 0o755 },
  ];

  it('writes sorted entries owned by root with the given mtime', () => {
    const parsed = parseNewc(writeCpioNewc(entries, 1_704_067_200));
    expect(parsed.map((p) => p.name)).toEqual(['bin', 'bin/sh', 'dev', 'dev/console', 'init']);
    for (const p of parsed) {
      expect(p.uid).toBe(0);
      expect(p.mtime).toBe(1_704_067_200);
    }
    const byName = Object.fromEntries(parsed.map((p) => [p.name, p]));
    expect(byName['init']!.mode).toBe(0o100755);
    expect(byName['init']!.data.toString()).toBe('#!/bin/sh\n');
    expect(byName['bin/sh']!.mode).toBe(0o120777);
    expect(byName['bin/sh']!.data.toString()).toBe('busybox');
    expect(byName['dev/console']!.mode).toBe(0o020600);
    expect(byName['dev/console']!.rdev).toEqual([5, 1]);
    expect(byName['dev']!.mode).toBe(0o040755);
  });

  it('gives the same bytes for the same input, whatever the input order', () => {
    expect(writeCpioNewc(entries, 1).equals(writeCpioNewc([...entries].reverse(), 1))).toBe(true);
  });

  it('rejects absolute paths', () => {
    expect(() => writeCpioNewc([{ path: '/init', type: 'dir', mode: 0o755 }], 0)).toThrow(/relative/);
  });
});

describe('initramfs content', () => {
  it('has /init and its command-line parser, busybox with applet links, modules with their list, and /dev/console', () => {
    const names = initramfsEntries({
      init: Buffer.from('x'),
      cmdlineLib: Buffer.from('z'),
      busybox: Buffer.from('y'),
      applets: ['[', 'busybox', 'insmod', 'sh'],
      modules: [{ name: 'virtio_ring', depends: [], content: Buffer.from('ko') }],
      mtime: 0,
    }).map((e) => e.path);
    expect(names).toEqual(expect.arrayContaining([
      'init', 'lib/gauntlet/cmdline.sh', 'bin/busybox', 'bin/sh', 'bin/insmod', 'bin/[', 'dev/console', 'newroot', 'proc', 'sys',
      'lib/modules/virtio_ring.ko', 'lib/modules/gauntlet.modules',
    ]));
    expect(names).not.toContain('bin/busybox-link');
    expect(names.filter((n) => n === 'bin/busybox')).toHaveLength(1);
  });
});

describe('busyboxApplets', () => {
  it('finds the sorted applet table and skips look-alikes', () => {
    const table = ['[', '[[', 'acpid', ...Array.from({ length: 30 }, (_, i) => `app${String(i).padStart(2, '0')}`), 'sh', 'zcat'];
    const binary = Buffer.concat([
      Buffer.from('\x7fELF junk [\0not sorted\0[\0b\0a\0\0more junk\0'),
      Buffer.from(`${table.join('\0')}\0\0`),
      Buffer.from('tail'),
    ]);
    expect(busyboxApplets(binary)).toEqual(table);
  });

  it('fails clearly without a table', () => {
    expect(() => busyboxApplets(Buffer.from('no applets here'))).toThrow(/applet table/);
  });

  it('never links busybox to itself', () => {
    expect(appletLinks(['busybox', 'sh'])).toEqual(['sh']);
  });
});

describe('apt metadata', () => {
  const show = [
    'Package: linux-image-cloud-amd64',
    'Version: 6.1.192-2',
    'Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)',
    'Description: Linux for x86-64 cloud (meta-package)',
    ' continued line',
    '',
    'Package: linux-image-cloud-amd64',
    'Version: 6.1.176-1',
    '',
  ].join('\n');

  it('reads the first stanza only', () => {
    const fields = parseStanza(show);
    expect(fields.Version).toBe('6.1.192-2');
    expect(fields.Description).toContain('continued line');
  });

  it('finds the pinned linux-image package of a metapackage', () => {
    expect(concreteKernel('linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)')).toEqual({ name: 'linux-image-6.1.0-56-cloud-amd64', version: '6.1.192-2' });
    expect(concreteKernel('linux-image-6.1.0-56-cloud-arm64:arm64 (= 6.1.192-2), foo')).toEqual({ name: 'linux-image-6.1.0-56-cloud-arm64', version: '6.1.192-2' });
    expect(concreteKernel('foo (>= 1)')).toBeUndefined();
  });
});
