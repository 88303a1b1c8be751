/**
 * What the host is, for run records and for sizing a run. Only the cheap systeminformation calls
 * (they read /proc on Linux, sysctl and vm_stat on macOS); the slow ones (dmidecode, disk layout)
 * add nothing a report needs.
 */
import si from 'systeminformation';
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
}

const BYTES_PER_MIB = 1024 * 1024;

/** The host alone: what the VMM is and which version is the run target's business (contract/run-target.ts). */
export async function collectHostFacts(host: HostPlatform = thisHost): Promise<HostFacts> {
  const [cpu, mem, os, hypervisorFramework] = await Promise.all([
    si.cpu(),
    si.mem(),
    si.osInfo(),
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
  };
}
