/**
 * Host memory charged to a VMM process. On Linux that is its resident set; on macOS RSS does not
 * drop after madvise(DONTNEED), so the physical footprint is the honest number there.
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export async function vmmResidentBytes(pid: number): Promise<number> {
  if (process.platform === 'darwin') return macPhysFootprint(pid);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function macPhysFootprint(pid: number): Promise<number> {
  // footprint(1) ships with macOS and reports phys_footprint per process.
  const { stdout } = await execa('footprint', ['-p', String(pid)]);
  const match = /phys_footprint:\s+([\d.]+)\s*([KMG]?B)/i.exec(stdout) ?? /Footprint:\s+([\d.]+)\s*([KMG]?B)/i.exec(stdout);
  if (!match) throw new Error(`cannot read phys_footprint of ${pid} from footprint(1)`);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[match[2].toUpperCase() as 'B' | 'KB' | 'MB' | 'GB'];
  return Math.round(Number(match[1]) * unit);
}
