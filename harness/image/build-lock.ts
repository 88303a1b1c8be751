/**
 * One builder per image at a time. Test workers or two CLI runs may ask for the same missing image;
 * the lock makes the others wait for the first build instead of downloading the kernel twice.
 * A lock whose process is gone (crash, kill -9) is taken over.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { processExists } from '../host/process-exists.ts';

export interface BuildLock {
  release(): Promise<void>;
}


async function holderIsGone(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const [host, pidText] = text.trim().split(' ');
  const pid = Number(pidText);
  // Empty: its holder is between creating and writing it, or died right there; give it time.
  if (!text.trim()) return Date.now() - (await stat(file).then((s) => s.mtimeMs, () => 0)) > 10_000;
  // A lock from another machine (shared cache dir) cannot be checked; it is waited for.
  return host === os.hostname() && Number.isInteger(pid) && !processExists(pid);
}

/**
 * Takes the lock, or returns undefined as soon as `done()` says another builder finished meanwhile.
 */
export async function acquireBuildLock(
  file: string,
  done: () => Promise<boolean>,
  onWait: () => void,
  timeoutMs = 30 * 60_000,
): Promise<BuildLock | undefined> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${os.hostname()} ${process.pid}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await done()) return undefined;
    if (await holderIsGone(file)) {
      await rm(file, { force: true });
      continue;
    }
    if (!told) {
      onWait();
      told = true;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for the image build holding ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
