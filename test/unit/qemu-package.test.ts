import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';
import { aptSourceProblem, privateAptDir } from '../../harness/image/apt-state.ts';
import { fetchedQemuBehind, libcNeeded, namedPackages, parseQemuPackage, sourceOf, wrapperScript } from '../../harness/runtime/qemu/qemu-package.ts';

const V = '1:10.0.2+ds-2+deb13u1~bpo12+1';
const BACKPORTS = 'deb http://mirror.example/debian bookworm-backports main';

describe('--qemu-package and --apt-source', () => {
  it('takes a QEMU system package with or without a version, and sources lines, into the settings', () => {
    expect(parseQemuPackage(`qemu-system-x86=${V}`)).toEqual({ name: 'qemu-system-x86', version: V });
    expect(parseQemuPackage('qemu-system-arm')).toEqual({ name: 'qemu-system-arm', version: undefined });
    const { settings } = parseCommand(['run', '--qemu-package', `qemu-system-x86=${V}`, '--apt-source', BACKPORTS, '--apt-source', 'deb [arch=amd64] http://m.example/debian trixie main'], {});
    expect(settings.vmmPackage).toBe(`qemu-system-x86=${V}`);
    expect(settings.aptSources).toEqual([BACKPORTS, 'deb [arch=amd64] http://m.example/debian trixie main']);
  });

  it('refuses another package, a second QEMU choice, an exec: runtime and a malformed sources line, as usage errors', () => {
    expect(() => parseCommand(['run', '--qemu-package', 'qemu-utils'], {})).toThrow(UsageError);
    expect(() => parseCommand(['run', '--qemu-package', 'qemu-system-x86', '--qemu', '/opt/q'], {})).toThrow('--qemu and --qemu-package both choose the QEMU build: give one');
    expect(() => parseCommand(['run', '--qemu-package', 'qemu-system-x86', '--runtime', 'exec:./a'], {})).toThrow(/exec: runtime runs its own VMM/);
    expect(() => parseCommand(['run', '--apt-source', 'bookworm-backports'], {})).toThrow('--apt-source takes one sources line, "deb URI SUITE COMPONENT..." (got bookworm-backports)');
    expect(aptSourceProblem(BACKPORTS)).toBeUndefined();
    expect(aptSourceProblem('deb http://m.example/debian')).toBeDefined();
  });

  it('keeps a private apt state per set of extra sources, apart from the plain foreign-arch one', () => {
    expect(privateAptDir('/c', 'amd64')).toBe('/c/apt/amd64');
    const withBackports = privateAptDir('/c', 'amd64', [BACKPORTS]);
    expect(withBackports).toMatch(/^\/c\/apt\/amd64\+[0-9a-f]{12}$/);
    expect(privateAptDir('/c', 'amd64', [BACKPORTS])).toBe(withBackports);
    expect(privateAptDir('/c', 'amd64', ['deb http://m.example/debian trixie main'])).not.toBe(withBackports);
  });
});

describe('a packaged QEMU build', () => {
  it('finds the libc a package was built against, which refuses a later release\'s build', () => {
    expect(libcNeeded('libaio1 (>= 0.3.93), libc6 (>= 2.34), libcapstone4 (>= 4)')).toBe('2.34');
    expect(libcNeeded('libc6 (>= 2.41), libfdt1')).toBe('2.41');
    expect(libcNeeded('libc6-dev, zlib1g')).toBeUndefined();
  });

  it('takes every package its Depends and Recommends name, as candidates for the same version', () => {
    const depends = `libc6 (>= 2.34), qemu-system-common (= ${V}), qemu-system-data (>> 1:10.0.2+ds~), seabios (>> 1.16.3-1~), ipxe-qemu`;
    const recommends = `qemu-utils, ovmf, qemu-system-gui (= ${V}), qemu-block-extra (= ${V}) | foo:any`;
    expect(namedPackages(depends, recommends, 'qemu-utils')).toEqual([
      'libc6', 'qemu-system-common', 'qemu-system-data', 'seabios', 'ipxe-qemu', 'qemu-utils', 'ovmf', 'qemu-system-gui', 'qemu-block-extra', 'foo',
    ]);
  });

  it('names where apt found the version', () => {
    const madison = [
      ' qemu-system-x86 | 1:10.0.2+ds-2+deb13u1~bpo12+1 | http://mirror.example/debian bookworm-backports/main amd64 Packages',
      ' qemu-system-x86 | 1:7.2+dfsg-7+deb12u18+b3 | http://mirror.example/debian bookworm/main amd64 Packages',
    ].join('\n');
    expect(sourceOf(madison, V)).toBe('http://mirror.example/debian bookworm-backports/main');
    expect(sourceOf(madison, '1:9.0')).toBeUndefined();
  });

  it('runs through a wrapper that gives QEMU its own modules and data directory, and the run target finds the build behind it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-qemu-package-'));
    try {
      // A stand-in QEMU that prints what it was started with.
      const fakeQemu = path.join(dir, "it's qemu");
      await writeFile(fakeQemu, '#!/bin/sh\necho "modules=$QEMU_MODULE_DIR args=$*"\n', { mode: 0o755 });
      const wrapper = path.join(dir, 'bin', 'qemu-system-x86_64');
      await writeFile(path.join(dir, 'wrapper'), wrapperScript(fakeQemu, '/c/root/usr/lib/x86_64-linux-gnu/qemu', '/c/root/usr/share/qemu'), { mode: 0o755 });
      expect(execFileSync(path.join(dir, 'wrapper'), ['-device', 'help'], { encoding: 'utf8' })).toBe(
        'modules=/c/root/usr/lib/x86_64-linux-gnu/qemu args=-L /c/root/usr/share/qemu -device help\n',
      );
      const fetched = { name: 'qemu-system-x86', version: V, source: 'http://mirror.example/debian bookworm-backports/main', packages: [], binary: wrapper };
      await writeFile(path.join(dir, 'fetched.json'), JSON.stringify(fetched));
      expect(await fetchedQemuBehind(wrapper)).toEqual(fetched);
      expect(await fetchedQemuBehind('/usr/bin/qemu-system-x86_64')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
