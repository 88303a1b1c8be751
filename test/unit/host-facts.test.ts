import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHostFacts } from '../../harness/host/facts.ts';
import { fakeHostPlatform, MAC_ARM64 } from './fixtures/fake-host-platform.ts';

describe('collectHostFacts', () => {
  let dir: string;
  const fakeQemu = async (name: string, body: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-facts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('describes this host consistently with node, within 2 s', async () => {
    const started = performance.now();
    const facts = await collectHostFacts({ qemuBinary: await fakeQemu('qemu-ok', 'echo "QEMU emulator version 9.9.9"') });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(facts.platform).toBe(process.platform);
    expect(facts.arch).toBe(process.arch);
    expect(facts.logicalCores).toBeGreaterThanOrEqual(1);
    expect(facts.physicalCores).toBeGreaterThanOrEqual(1);
    expect(facts.physicalCores).toBeLessThanOrEqual(facts.logicalCores);
    expect(facts.availableMemMiB).toBeGreaterThan(0);
    expect(facts.availableMemMiB).toBeLessThanOrEqual(facts.totalMemMiB);
    expect(facts.kernel).not.toBe('');
    expect(facts.cpuModel).not.toBe('');
    expect(typeof facts.cpuVirtualization).toBe('boolean');
  });

  it('on macOS, hardware virtualization is what kern.hv_support says', async () => {
    const qemuBinary = await fakeQemu('qemu-mac', 'echo "QEMU emulator version 10.1.0"');
    for (const [hvSupport, expected] of [['1\n', true], ['0\n', false]] as const) {
      const host = fakeHostPlatform({ ...MAC_ARM64, commands: { 'sysctl -n kern.hv_support': hvSupport } });
      const facts = await collectHostFacts({ qemuBinary, host });
      expect(facts).toMatchObject({ platform: 'darwin', arch: 'arm64', cpuVirtualization: expected });
      expect(host.ran).toEqual(['sysctl -n kern.hv_support']);
    }
  });

  it('keeps only the first line of `qemu --version`', async () => {
    const qemu = await fakeQemu('qemu-two-lines', 'echo "QEMU emulator version 8.2.2 (Debian)"; echo "Copyright (c) 2003-2023"');
    expect((await collectHostFacts({ qemuBinary: qemu })).qemuVersion).toBe('QEMU emulator version 8.2.2 (Debian)');
  });

  it('reports no QEMU version when the binary is missing or fails', async () => {
    const failing = await fakeQemu('qemu-fails', 'echo "QEMU emulator version 1.0"; exit 3');
    expect((await collectHostFacts({ qemuBinary: path.join(dir, 'no-such-qemu') })).qemuVersion).toBeUndefined();
    expect((await collectHostFacts({ qemuBinary: failing })).qemuVersion).toBeUndefined();
  });

  it('does not wait on a QEMU that never answers', async () => {
    const hanging = await fakeQemu('qemu-hangs', 'exec sleep 30');
    const started = performance.now();
    expect((await collectHostFacts({ qemuBinary: hanging })).qemuVersion).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_500);
  });
});
