/**
 * One side of a hunt (`gauntlet hunt A B`): a build or kernel under test, given as a VMM binary, a
 * packaged VMM build (as --qemu-package takes it), a Debian kernel package or an `exec:` runtime, and the run flags that select it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export class HuntError extends Error {
  override name = 'HuntError';
}

export interface HuntSide {
  /** "A" or "B". */
  label: string;
  /** As the user gave it. */
  given: string;
  /** What `gauntlet run` and `gauntlet bench` are told to select it. */
  flags: string[];
}

export function huntSide(label: string, given: string): HuntSide {
  if (given.startsWith('exec:')) return { label, given, flags: ['--runtime', given] };
  if (/^qemu-system-[a-z0-9][a-z0-9.+-]*(=\S+)?$/.test(given)) return { label, given, flags: ['--qemu-package', given] };
  if (/^linux-image-[a-z0-9][a-z0-9.+-]*(=\S+)?$/.test(given)) return { label, given, flags: ['--kernel-package', given] };
  const binary = path.resolve(given);
  try {
    if (!statSync(binary).isFile()) throw new Error('not a file');
    accessSync(binary, constants.X_OK);
  } catch {
    throw new HuntError(`hunt side ${label} (${given}) is neither an executable VMM binary, a --qemu-package or --kernel-package name nor an exec: runtime`);
  }
  return { label, given, flags: ['--qemu', binary] };
}
