/** The Linux and macOS branches of host-side code, each run here with injected platform facts. */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasHypervisorFramework, hostCpuName, nativeGuestArch, thisHost, unixSocketPathLimit } from '../../harness/host/platform.ts';
import { descendantPids, parentsFromPs } from '../../harness/run/process-tree.ts';
import { isOurVmm, runDirParent, sweepRunDir } from '../../harness/run/run-dir.ts';
import { requireSocketPathsFit } from '../../harness/runtime/qemu/vm-files.ts';
import { fakeHostPlatform, LINUX_ARM64, LINUX_X64, MAC_ARM64, MAC_X64 } from './fixtures/fake-host-platform.ts';

describe('host CPU and guest architecture', () => {
  it('maps Node’s arch to the guest architecture a hardware accelerator runs', () => {
    expect(nativeGuestArch(LINUX_X64)).toBe('x86_64');
    expect(nativeGuestArch(MAC_X64)).toBe('x86_64');
    expect(nativeGuestArch(LINUX_ARM64)).toBe('aarch64');
    expect(nativeGuestArch(MAC_ARM64)).toBe('aarch64');
    expect(nativeGuestArch({ arch: 'riscv64' })).toBeUndefined();
    expect(hostCpuName({ arch: 'riscv64' })).toBe('riscv64');
  });

  it('the real host is what Node says', () => {
    expect(thisHost.platform).toBe(process.platform);
    expect(thisHost.arch).toBe(process.arch);
  });
});

describe('Hypervisor.framework', () => {
  it('is there when macOS says kern.hv_support: 1', async () => {
    expect(await hasHypervisorFramework(fakeHostPlatform({ ...MAC_ARM64, commands: { 'sysctl -n kern.hv_support': '1\n' } }))).toBe(true);
    expect(await hasHypervisorFramework(fakeHostPlatform({ ...MAC_X64, commands: { 'sysctl -n kern.hv_support': '0\n' } }))).toBe(false);
    expect(await hasHypervisorFramework(fakeHostPlatform(MAC_ARM64))).toBe(false);
  });

  it('is never asked for on Linux', async () => {
    const linux = fakeHostPlatform({ ...LINUX_X64, commands: { 'sysctl -n kern.hv_support': '1' } });
    expect(await hasHypervisorFramework(linux)).toBe(false);
    expect(linux.ran).toEqual([]);
  });
});

describe('unix socket paths', () => {
  const within = (bytes: number) => `/${'s'.repeat(bytes - 1)}`;

  it('sun_path leaves 107 bytes on Linux and 103 on macOS', () => {
    expect(unixSocketPathLimit(LINUX_X64)).toBe(107);
    expect(unixSocketPathLimit(MAC_ARM64)).toBe(103);
  });

  it('a path that fits on Linux but not on macOS is refused on macOS only, naming the limit and the fix', () => {
    const socket = within(105);
    expect(() => requireSocketPathsFit([socket], LINUX_X64)).not.toThrow();
    expect(() => requireSocketPathsFit([socket], MAC_ARM64)).toThrow(
      `socket path too long for a unix socket on darwin (105 > 103 bytes): ${socket}; set GAUNTLET_RUN_DIR to a shorter directory`,
    );
    expect(() => requireSocketPathsFit([within(103)], MAC_ARM64)).not.toThrow();
    expect(() => requireSocketPathsFit([within(108)], LINUX_X64)).toThrow('(108 > 107 bytes)');
  });

  it('counts bytes, not characters', () => {
    expect(() => requireSocketPathsFit([`/${'é'.repeat(52)}`], MAC_ARM64)).toThrow('(105 > 103 bytes)');
  });

  it('the run dir lives under /tmp on macOS, not under its long per-user $TMPDIR', () => {
    expect(runDirParent(MAC_ARM64)).toBe('/tmp');
    expect(runDirParent(LINUX_X64)).toBe('/tmp');
    // A VM directory as QemuRuntime names it (pid and counter in base 36, 16 characters of the case name).
    const worstVmDir = `${(4_194_304).toString(36)}${(1295).toString(36)}-${'n'.repeat(16)}`;
    const agentSocket = path.join(runDirParent(MAC_ARM64), 'gauntlet-run-XXXXXX', worstVmDir, 'agent.sock');
    expect(() => requireSocketPathsFit([agentSocket], MAC_ARM64)).not.toThrow();
  });
});

describe('the processes of a run, without /proc', () => {
  const PS = ['    1     0', '  500     1', '  600   500', '  601   500', '  700   600', '  800     1', ''].join('\n');

  it('parses ps -A -o pid=,ppid=', () => {
    expect([...parentsFromPs(PS)]).toEqual([[1, 0], [500, 1], [600, 500], [601, 500], [700, 600], [800, 1]]);
    expect(parentsFromPs('garbage\n\n')).toEqual(new Map());
  });

  it('finds every descendant through ps on macOS', () => {
    const mac = fakeHostPlatform({ ...MAC_ARM64, commands: { 'ps -A -o pid=,ppid=': PS } });
    expect(descendantPids(500, mac)).toEqual([600, 601, 700]);
    expect(mac.ran).toEqual(['ps -A -o pid=,ppid=']);
  });

  it('a failing ps is an error, not an empty tree', () => {
    expect(() => descendantPids(500, fakeHostPlatform(MAC_ARM64))).toThrow('ps -A -o pid=,ppid= failed');
  });

  it('a VMM is ours on macOS only when its full command line (ps -ww) names the run dir', () => {
    const runDir = '/tmp/gauntlet-abc123';
    const line = `qemu-system-aarch64 -M virt -pidfile ${runDir}/1a-case/vmm.pid\n`;
    const mac = fakeHostPlatform({ ...MAC_ARM64, commands: { 'ps -ww -o command= -p 42': line, 'ps -ww -o command= -p 43': 'bash\n' } });
    expect(isOurVmm(42, runDir, mac)).toBe(true);
    expect(isOurVmm(43, runDir, mac)).toBe(false);
    expect(isOurVmm(44, runDir, mac)).toBe(false);
  });
});

describe('the ps branch on this host’s real ps', () => {
  it('sees a command line far past 79 columns (ps -ww), as a VMM with its run dir has', async () => {
    const runDir = `/tmp/gauntlet-${'x'.repeat(120)}`;
    const child = spawn('sh', ['-c', 'sleep 30', `${runDir}/vm/vmm.pid`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      expect(isOurVmm(child.pid!, runDir, { ...thisHost, platform: 'darwin' })).toBe(true);
      expect(isOurVmm(child.pid!, '/tmp/gauntlet-other', { ...thisHost, platform: 'darwin' })).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('lists this process as a child of its parent', () => {
    expect(descendantPids(process.ppid, { ...thisHost, platform: 'darwin' })).toContain(process.pid);
  });
});

describe('sweepRunDir on macOS', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function runDirWithLiveProcess(): Promise<{ runDir: string; pid: number; exited: Promise<unknown> }> {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-sweep-'));
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await mkdir(path.join(dir, 'vm1'));
    await writeFile(path.join(dir, 'vm1', 'vmm.pid'), `${child.pid}\n`);
    return { runDir: dir, pid: child.pid!, exited };
  }

  it('kills a VMM whose command line names the run dir, and removes the dir', async () => {
    const { runDir, pid, exited } = await runDirWithLiveProcess();
    const mac = fakeHostPlatform({ ...MAC_ARM64, commands: { [`ps -ww -o command= -p ${pid}`]: `qemu-system-aarch64 -pidfile ${runDir}/vm1/vmm.pid` } });
    expect(sweepRunDir(runDir, mac)).toEqual({ killed: [pid], removed: true });
    await exited;
  });

  it('leaves a recycled pid (another command line) alive', async () => {
    const { runDir, pid, exited } = await runDirWithLiveProcess();
    const mac = fakeHostPlatform({ ...MAC_ARM64, commands: { [`ps -ww -o command= -p ${pid}`]: 'sleep 30' } });
    try {
      expect(sweepRunDir(runDir, mac)).toEqual({ killed: [], removed: true });
      expect(() => process.kill(pid, 0)).not.toThrow();
    } finally {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  });
});
