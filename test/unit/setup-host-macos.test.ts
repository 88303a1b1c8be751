/**
 * The macOS block of scripts/setup-host, run here with a PATH of fakes: `uname` says Darwin, and
 * brew and QEMU are there or not as each case needs. Nothing outside the temp dir is touched.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve('scripts/setup-host');
const BASH = '/bin/bash';

describe('setup-host on macOS', () => {
  let root: string;
  let bin: string;
  let home: string;

  const tool = async (name: string, body: string) => {
    await writeFile(path.join(bin, name), `#!${BASH}\n${body}\n`);
    await chmod(path.join(bin, name), 0o755);
  };
  const qemu = `echo "QEMU emulator version 10.1.0"; echo "Copyright (c) 2003-2025"`;
  const cacheImage = async (arch: string) => {
    const dir = path.join(home, '.cache', 'microvm-gauntlet', 'images', `${arch}-0123456789abcdef`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), '{}');
  };
  const setupHost = (env: Record<string, string> = {}) =>
    execa(BASH, [SCRIPT], { env: { PATH: bin, HOME: home, ...env }, extendEnv: false, reject: false });

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gauntlet-setup-mac-'));
    bin = path.join(root, 'bin');
    home = path.join(root, 'home');
    await mkdir(bin);
    await mkdir(home);
    await tool('uname', 'case "$1" in -s) echo Darwin ;; -m) echo arm64 ;; esac');
    await symlink('/usr/bin/head', path.join(bin, 'head'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('with QEMU and an imported aarch64 image, says ok for aarch64 guests (the Apple Silicon default) and installs nothing', async () => {
    await tool('qemu-system-aarch64', qemu);
    await tool('qemu-img', 'exit 0');
    await tool('brew', `echo called > "${root}/brew-called"`);
    await cacheImage('aarch64');
    const result = await setupHost();
    expect(result.stdout).toBe('setup-host: ok (aarch64 guests, QEMU emulator version 10.1.0)');
    expect(result.exitCode).toBe(0);
    expect(existsSync(path.join(root, 'brew-called'))).toBe(false);
  });

  it("installs Homebrew's qemu when it is missing", async () => {
    // What `brew install qemu` puts on PATH, staged beside it and copied in by the fake brew.
    const cellar = path.join(root, 'cellar');
    await mkdir(cellar);
    await writeFile(path.join(cellar, 'qemu-system-aarch64'), `#!${BASH}\n${qemu}\n`, { mode: 0o755 });
    await writeFile(path.join(cellar, 'qemu-img'), `#!${BASH}\nexit 0\n`, { mode: 0o755 });
    await symlink('/bin/cp', path.join(bin, 'cp'));
    await tool('brew', `[ "$*" = "install qemu" ] || exit 9\ncp -p "${cellar}"/* "${bin}/"`);
    await cacheImage('aarch64');
    const result = await setupHost();
    expect(result.stdout.split('\n')).toEqual(['setup-host: installing qemu with Homebrew', 'setup-host: ok (aarch64 guests, QEMU emulator version 10.1.0)']);
    expect(result.exitCode).toBe(0);
  });

  it('without Homebrew, prints the command to run and exits 2', async () => {
    const result = await setupHost();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'setup-host: no qemu-system-aarch64 here and no Homebrew to install it; install Homebrew (https://brew.sh), then run: brew install qemu',
    );
  });

  it('without a cached image, says to import one built on Linux, never to build it here', async () => {
    await tool('qemu-system-aarch64', qemu);
    await tool('qemu-img', 'exit 0');
    await cacheImage('x86_64');
    const result = await setupHost();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `setup-host: no aarch64 guest image in ${home}/.cache/microvm-gauntlet, and macOS cannot build one (no apt): ` +
        "on a Linux host run 'npx gauntlet image export FILE --arch aarch64', copy FILE here, then run 'npx gauntlet image import FILE'",
    );
  });

  it('honours GAUNTLET_ARCH and GAUNTLET_CACHE_DIR as the harness does', async () => {
    await tool('qemu-system-x86_64', qemu);
    await tool('qemu-img', 'exit 0');
    const cache = path.join(root, 'cache');
    await mkdir(path.join(cache, 'images', 'x86_64-0123456789abcdef'), { recursive: true });
    await writeFile(path.join(cache, 'images', 'x86_64-0123456789abcdef', 'manifest.json'), '{}');
    const result = await setupHost({ GAUNTLET_ARCH: 'x86_64', GAUNTLET_CACHE_DIR: cache });
    expect(result.stdout).toBe('setup-host: ok (x86_64 guests, QEMU emulator version 10.1.0)');
  });
});
