/**
 * What the QEMU runtime can do on a given host. Most of it is QEMU's own and the same everywhere;
 * what depends on the host OS is taken away here, with the reason the skipped case will show.
 */
import type { HostPlatform } from '../../host/platform.ts';
import type { Capability } from '../../contract/sandbox.ts';

export interface HostCapabilities {
  capabilities: ReadonlySet<Capability>;
  missingOnThisHost: ReadonlyMap<Capability, string>;
}

const EVERYWHERE: readonly Capability[] = [
  'balloon',
  'balloon-free-page-reporting',
  'balloon-deflate-on-oom',
  'balloon-stats',
  'stop-start',
  'disk-discard',
  'scratch-disk',
  'host-footprint',
  'host-vmm-memory',
  'io-error-pause',
  'file-transfer',
  'agent-reconnect',
  'snapshot',
  'guest-freeze',
  'gauntlet-agent',
];

/**
 * QEMU gives guest pages back to the host in ram_block_discard_range, with madvise(MADV_DONTNEED) on
 * every POSIX host (MADV_FREE_REUSABLE appears nowhere in QEMU). Linux frees the pages at once and
 * VmRSS drops. On macOS that advice is a hint the kernel may act on later: only MADV_FREE_REUSABLE is
 * known to lower a process's phys_footprint, and no Mac was at hand to measure what DONTNEED does to
 * either number after a balloon inflate. A case that asserted a drop there would pass or fail for
 * reasons of the host, so it skips and says so.
 */
const MAC_RECLAIM_UNOBSERVABLE =
  'on macOS QEMU returns balloon and reported pages with madvise(MADV_DONTNEED), a hint macOS may defer; ' +
  'only MADV_FREE_REUSABLE is known to lower phys_footprint, so a host memory drop cannot be shown';

export function qemuCapabilities(host: Pick<HostPlatform, 'platform'>): HostCapabilities {
  const missing = new Map<Capability, string>();
  if (host.platform === 'darwin') missing.set('host-memory-reclaim', MAC_RECLAIM_UNOBSERVABLE);
  else if (host.platform !== 'linux') missing.set('host-memory-reclaim', `host memory reclaim is only known to show on Linux (host is ${host.platform})`);
  const capabilities = new Set<Capability>(EVERYWHERE);
  if (!missing.has('host-memory-reclaim')) capabilities.add('host-memory-reclaim');
  // Guest RAM is told apart from the VMM's own memory through /proc/<pid> (maps, statm, pagemap), which only Linux has.
  if (host.platform === 'linux') capabilities.add('host-vmm-overhead');
  else missing.set('host-vmm-overhead', `the VMM's own memory is read from /proc/<pid>/statm and pagemap, which only Linux has (host is ${host.platform})`);
  return { capabilities, missingOnThisHost: missing };
}
