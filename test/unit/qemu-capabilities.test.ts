import { describe, expect, it } from 'vitest';
import { missingCapabilitiesNote } from '../../harness/vitest/vm-test.ts';
import { qemuCapabilities } from '../../harness/runtime/qemu/capabilities.ts';
import { LINUX_ARM64, LINUX_X64, MAC_ARM64, MAC_X64 } from './fixtures/fake-host-platform.ts';

describe('qemuCapabilities', () => {
  it.each([LINUX_X64, LINUX_ARM64])('on Linux (%o) the host shows memory given back, and nothing is missing', (host) => {
    const { capabilities, missingOnThisHost } = qemuCapabilities(host);
    expect(capabilities.has('host-memory-reclaim')).toBe(true);
    expect(capabilities.has('host-vmm-memory')).toBe(true);
    expect(missingOnThisHost.size).toBe(0);
  });

  it.each([MAC_ARM64, MAC_X64])('on macOS (%o) host memory reclaim and the VMM overhead are missing, with the reason, and the rest stays', (host) => {
    const { capabilities, missingOnThisHost } = qemuCapabilities(host);
    expect(capabilities.has('host-memory-reclaim')).toBe(false);
    expect(capabilities.has('host-vmm-overhead')).toBe(false);
    expect([...missingOnThisHost.keys()]).toEqual(['host-memory-reclaim', 'host-vmm-overhead']);
    expect(missingOnThisHost.get('host-memory-reclaim')).toMatch(/macOS.*MADV_DONTNEED.*phys_footprint/);
    expect(missingOnThisHost.get('host-vmm-overhead')).toMatch(/statm and pagemap.*only Linux/);
    for (const kept of ['balloon', 'balloon-free-page-reporting', 'host-vmm-memory', 'host-footprint'] as const) {
      expect(capabilities.has(kept)).toBe(true);
    }
  });
});

describe('missingCapabilitiesNote', () => {
  const runtime = (host: typeof LINUX_X64 | typeof MAC_ARM64) => ({ name: 'qemu', ...qemuCapabilities(host) });

  it('is undefined when every needed capability is there', () => {
    expect(missingCapabilitiesNote(runtime(LINUX_X64), ['balloon', 'host-memory-reclaim'])).toBeUndefined();
  });

  it("names a capability this host lacks together with the host's reason", () => {
    const note = missingCapabilitiesNote(runtime(MAC_ARM64), ['balloon', 'host-memory-reclaim', 'host-vmm-memory']);
    expect(note).toBe(`runtime qemu lacks capability: host-memory-reclaim (${qemuCapabilities(MAC_ARM64).missingOnThisHost.get('host-memory-reclaim')})`);
  });

  it('names a capability the runtime lacks everywhere without a reason', () => {
    const bare = { name: 'other', capabilities: new Set<never>(), missingOnThisHost: new Map() };
    expect(missingCapabilitiesNote(bare, ['balloon', 'stop-start'])).toBe('runtime other lacks capability: balloon, stop-start');
  });
});
