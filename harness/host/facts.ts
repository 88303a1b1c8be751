/**
 * What the host is, for run records and for sizing a run. Only the cheap systeminformation calls
 * (they read /proc on Linux, sysctl and vm_stat on macOS); the slow ones (dmidecode, disk layout)
 * add nothing a report needs.
 */
import { execa } from 'execa';
import si from 'systeminformation';
import { HOST_FACTS } from '../config/constants.ts';
import { readSettings } from '../config/settings.ts';
import { machineProfile } from '../runtime/qemu/machine.ts';
import { hasHypervisorFramework, thisHost, type HostPlatform } from './platform.ts';

export interface HostFacts {
  cpuModel: string;
  physicalCores: number;
  logicalCores: number;
  totalMemMiB: number;
  availableMemMiB: number;
  osDistro: string;
  osRelease: string;
  kernel: string;
  /** Node's spelling: x64, arm64. */
  arch: string;
  /** Node's spelling: linux, darwin. */
  platform: string;
  /** The CPU advertises VT-x/AMD-V (or the OS reports hypervisor support); KVM may still be unusable. */
  cpuVirtualization: boolean;
  /** First line of `qemu --version`; undefined when the binary is missing or does not answer. */
  qemuVersion: string | undefined;
}

const BYTES_PER_MIB = 1024 * 1024;

/** `qemuVersion`: the answer a preflight already got, so the binary is not asked again. */
export async function collectHostFacts(opts: { qemuBinary?: string; qemuVersion?: string; host?: HostPlatform } = {}): Promise<HostFacts> {
  const host = opts.host ?? thisHost;
  const [cpu, mem, os, qemuVersion, hypervisorFramework] = await Promise.all([
    si.cpu(),
    si.mem(),
    si.osInfo(),
    opts.qemuVersion ?? readQemuVersion(opts.qemuBinary ?? qemuBinaryOfThisRun()),
    hasHypervisorFramework(host),
  ]);
  return {
    cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' '),
    physicalCores: cpu.physicalCores,
    logicalCores: cpu.cores,
    totalMemMiB: Math.floor(mem.total / BYTES_PER_MIB),
    availableMemMiB: Math.floor(mem.available / BYTES_PER_MIB),
    osDistro: os.distro,
    osRelease: os.release,
    kernel: os.kernel,
    arch: host.arch,
    platform: host.platform,
    // systeminformation says true for every Mac; kern.hv_support is what HVF needs.
    cpuVirtualization: host.platform === 'darwin' ? hypervisorFramework : cpu.virtualization,
    qemuVersion,
  };
}

/** The binary a run started from this environment would boot, so the report names the QEMU actually used. */
function qemuBinaryOfThisRun(): string {
  const settings = readSettings();
  return settings.qemuBinary ?? machineProfile(settings.machine).qemuBinary;
}

export async function readQemuVersion(qemuBinary: string): Promise<string | undefined> {
  const result = await execa(qemuBinary, ['--version'], { reject: false, timeout: HOST_FACTS.qemuVersionTimeoutMs });
  if (result.failed) return undefined;
  const firstLine = result.stdout.split('\n')[0]?.trim();
  return firstLine || undefined;
}
