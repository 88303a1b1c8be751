/**
 * The few facts and host tools that differ between Linux and macOS, behind one object, so every
 * platform branch (KVM or HVF, /proc or ps, socket path limits) runs in unit tests with injected
 * facts on whatever host the tests run on.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { execa, execaSync } from 'execa';
import type { GuestArch } from '../contract/run-target.ts';

export interface CommandOutput {
  /** False when the tool is missing, was killed, or exited non-zero. */
  ok: boolean;
  stdout: string;
}

export interface HostPlatform {
  /** Node's spelling: linux, darwin. */
  readonly platform: NodeJS.Platform;
  /** Node's spelling: x64, arm64. */
  readonly arch: NodeJS.Architecture;
  /** Runs a host tool (sysctl, ps); never rejects, the output says whether it worked. */
  run(file: string, args: readonly string[]): Promise<CommandOutput>;
  /** The same, for exit and signal handlers, which cannot wait for a promise. */
  runSync(file: string, args: readonly string[]): CommandOutput;
  /** A text file such as /proc/PID/status; rejects when it cannot be read. */
  readText(file: string): Promise<string>;
  /** Whether this user may open the file for reading and writing (a device node such as /dev/kvm). */
  canReadWrite(file: string): Promise<boolean>;
}

export const thisHost: HostPlatform = {
  platform: process.platform,
  arch: process.arch,
  async run(file, args) {
    const result = await execa(file, args, { reject: false });
    return { ok: !result.failed, stdout: result.stdout };
  },
  runSync(file, args) {
    const result = execaSync(file, args, { reject: false });
    return { ok: !result.failed, stdout: result.stdout };
  },
  readText: (file) => readFile(file, 'utf8'),
  canReadWrite: (file) => access(file, constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  ),
};

/** The guest architecture a hardware accelerator on this host runs; undefined for a host CPU we have no guest for. */
export function nativeGuestArch(host: Pick<HostPlatform, 'arch'>): GuestArch | undefined {
  if (host.arch === 'x64') return 'x86_64';
  if (host.arch === 'arm64') return 'aarch64';
  return undefined;
}

/** The host CPU in the spelling guest architectures use, for messages. */
export function hostCpuName(host: Pick<HostPlatform, 'arch'>): string {
  return nativeGuestArch(host) ?? host.arch;
}

/** sun_path is 108 bytes on Linux and 104 on macOS and the BSDs, the terminating NUL included. */
export function unixSocketPathLimit(host: Pick<HostPlatform, 'platform'>): number {
  return host.platform === 'linux' ? 107 : 103;
}

/** Whether Hypervisor.framework is there: macOS says so in kern.hv_support (1), on Intel and Apple Silicon alike. */
export async function hasHypervisorFramework(host: HostPlatform): Promise<boolean> {
  if (host.platform !== 'darwin') return false;
  const { ok, stdout } = await host.run('sysctl', ['-n', 'kern.hv_support']);
  return ok && stdout.trim() === '1';
}
