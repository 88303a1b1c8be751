import { describe, expect, it } from 'vitest';
import { thisHost } from '../../harness/host/platform.ts';
import { psRssBytes, vmmResidentBytes, vmRssBytes } from '../../harness/runtime/qemu/vmm-memory.ts';
import { fakeHostPlatform, LINUX_X64, MAC_ARM64 } from './fixtures/fake-host-platform.ts';

const STATUS = 'Name:\tqemu-system-x86\nVmPeak:\t 2000000 kB\nVmRSS:\t  153600 kB\nRssAnon:\t  140000 kB\n';

describe('vmmResidentBytes', () => {
  it('reads VmRSS from /proc on Linux and runs nothing', async () => {
    const host = fakeHostPlatform({ ...LINUX_X64, files: { '/proc/42/status': STATUS } });
    expect(await vmmResidentBytes(42, host)).toBe(153600 * 1024);
    expect(host.ran).toEqual([]);
  });

  it('asks ps for the resident set on macOS, where there is no /proc', async () => {
    const host = fakeHostPlatform({ ...MAC_ARM64, commands: { 'ps -o rss= -p 42': '  262144\n' } });
    expect(await vmmResidentBytes(42, host)).toBe(262144 * 1024);
    expect(host.ran).toEqual(['ps -o rss= -p 42']);
  });

  it('a pid that is gone is an error naming it, on both platforms', async () => {
    await expect(vmmResidentBytes(42, fakeHostPlatform(LINUX_X64))).rejects.toThrow('/proc/42/status');
    await expect(vmmResidentBytes(42, fakeHostPlatform(MAC_ARM64))).rejects.toThrow('ps -o rss= -p 42 failed: no process 42?');
  });
});

describe('on this host, for real', () => {
  it('/proc and ps agree on this process within a few MiB', async () => {
    const fromProc = await vmmResidentBytes(process.pid, thisHost);
    // The macOS branch on this host's own ps: procps takes the same flags and prints the same column.
    const fromPs = await vmmResidentBytes(process.pid, { ...thisHost, platform: 'darwin' });
    expect(fromProc).toBeGreaterThan(0);
    expect(Math.abs(fromPs - fromProc)).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('parsing', () => {
  it('VmRSS without its line is an error, not zero', () => {
    expect(() => vmRssBytes('Name:\tqemu\n', 7)).toThrow('no VmRSS in /proc/7/status');
  });

  it('ps output must be one number of KiB', () => {
    expect(psRssBytes('1\n', 1)).toBe(1024);
    expect(() => psRssBytes('', 7)).toThrow('cannot read the resident set of 7');
    expect(() => psRssBytes('  RSS\n 100\n', 7)).toThrow('cannot read the resident set of 7');
    expect(() => psRssBytes('12.5M', 7)).toThrow('cannot read the resident set of 7');
  });
});
