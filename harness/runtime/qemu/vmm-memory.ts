/**
 * Host memory a VMM process holds resident. Linux tells it in /proc; macOS has no /proc, and `ps`
 * reports the same resident set there. Whether that number can show memory given back by a balloon
 * is another question, answered per host by the `host-memory-reclaim` capability.
 */
import { thisHost, type HostPlatform } from '../../host/platform.ts';

const KIB = 1024;

export async function vmmResidentBytes(pid: number, host: HostPlatform = thisHost): Promise<number> {
  if (host.platform === 'linux') return vmRssBytes(await host.readText(`/proc/${pid}/status`), pid);
  const { ok, stdout } = await host.run('ps', ['-o', 'rss=', '-p', String(pid)]);
  if (!ok) throw new Error(`ps -o rss= -p ${pid} failed: no process ${pid}?`);
  return psRssBytes(stdout, pid);
}

export function vmRssBytes(status: string, pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * KIB;
}

/** `ps -o rss=` prints the resident set in KiB, right-aligned, without a header (procps and BSD ps alike). */
export function psRssBytes(stdout: string, pid: number): number {
  const text = stdout.trim();
  if (!/^\d+$/.test(text)) throw new Error(`cannot read the resident set of ${pid} from ps -o rss= (got ${JSON.stringify(stdout)})`);
  return Number(text) * KIB;
}
