/**
 * The VMM's own memory: what QEMU holds resident beyond the guest RAM it maps for the guest (its code
 * and libraries, heap, device state, and under TCG its translation cache). Read from
 * /proc/<pid>/smaps, where guest RAM is the one anonymous mapping of exactly the VM's memory size
 * (QEMU maps each RAM block whole); Linux only, so the capability is missing elsewhere.
 */
import { thisHost, type HostPlatform } from '../../host/platform.ts';

const KIB = 1024;

export async function vmmOverheadBytes(pid: number, guestRamBytes: number, host: HostPlatform = thisHost): Promise<number> {
  return overheadFromSmaps(await host.readText(`/proc/${pid}/smaps`), guestRamBytes, pid);
}

interface Mapping {
  /** The mapped file, empty for anonymous memory. */
  path: string;
  sizeBytes: number;
  residentBytes: number;
}

export function overheadFromSmaps(smaps: string, guestRamBytes: number, pid: number): number {
  const mappings: Mapping[] = [];
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      mappings.push({ path: header[1]!.trim(), sizeBytes: 0, residentBytes: 0 });
      continue;
    }
    const field = /^(Size|Rss):\s+(\d+) kB$/.exec(line);
    const current = mappings.at(-1);
    if (!field || !current) continue;
    if (field[1] === 'Size') current.sizeBytes = Number(field[2]) * KIB;
    else current.residentBytes = Number(field[2]) * KIB;
  }
  const guestRam = mappings.find((mapping) => mapping.path === '' && mapping.sizeBytes === guestRamBytes);
  if (!guestRam) throw new Error(`no anonymous mapping of the guest's ${guestRamBytes / KIB / KIB} MiB in /proc/${pid}/smaps`);
  const residentBytes = mappings.reduce((sum, mapping) => sum + mapping.residentBytes, 0);
  return residentBytes - guestRam.residentBytes;
}
