/** Finds the host programs the builder runs, with a hint at scripts/setup-host when one is missing. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

// mkfs.ext4 is in /usr/sbin, which a normal user's PATH on Debian does not include.
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const found = new Map<string, string>();

export async function hostTool(name: string): Promise<string> {
  const cached = found.get(name);
  if (cached) return cached;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      found.set(name, candidate);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} not found on this host; run scripts/setup-host`);
}
