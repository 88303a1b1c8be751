import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reseedToolElf } from '../../harness/image/reseed-tool.ts';

describe('gauntlet-reseed', () => {
  it.each(['x86_64', 'aarch64'] as const)('is one loadable segment holding the code and the device path (%s)', (arch) => {
    const elf = reseedToolElf(arch);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(arch === 'x86_64' ? 0x3e : 0xb7);
    const entry = Number(elf.readBigUInt64LE(24)) - 0x400000;
    expect(entry).toBe(64 + 56);
    expect(Number(elf.readBigUInt64LE(64 + 32))).toBe(elf.length);
    expect(elf.subarray(-13).toString('latin1')).toBe('/dev/urandom\0');
  });

  // The x86_64 code runs here as it does in the guest: the ioctl reseeds as root, and is refused otherwise.
  it.runIf(process.platform === 'linux' && process.arch === 'x64')('opens /dev/urandom and asks the kernel to reseed (x86_64, on this host)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reseed-'));
    try {
      const tool = path.join(dir, 'gauntlet-reseed');
      writeFileSync(tool, reseedToolElf('x86_64'));
      chmodSync(tool, 0o755);
      const EPERM = 1;
      let status = 0;
      try {
        execFileSync(tool);
      } catch (error) {
        status = (error as { status: number }).status;
      }
      expect(status).toBe(process.getuid?.() === 0 ? 0 : EPERM);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
