import { describe, expect, it } from 'vitest';
import { collectHostFacts } from '../../harness/host/facts.ts';
import { fakeHostPlatform, MAC_ARM64 } from './fixtures/fake-host-platform.ts';

describe('collectHostFacts', () => {
  it('describes this host consistently with node, within 2 s', async () => {
    const started = performance.now();
    const facts = await collectHostFacts();
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
    for (const [hvSupport, expected] of [['1\n', true], ['0\n', false]] as const) {
      const host = fakeHostPlatform({ ...MAC_ARM64, commands: { 'sysctl -n kern.hv_support': hvSupport } });
      const facts = await collectHostFacts(host);
      expect(facts).toMatchObject({ platform: 'darwin', arch: 'arm64', cpuVirtualization: expected });
      expect(host.ran).toEqual(['sysctl -n kern.hv_support']);
    }
  });
});
