/**
 * Runs scripts/setup-host for the run's guest architecture before a run or an image build, so
 * `npx gauntlet run --arch aarch64` on a fresh clone installs the emulator it lacks for that arch itself
 * (`npm start` runs it too; it is quiet and fast when nothing is missing).
 */
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../image/recipe.ts';
import type { GuestArch } from '../contract/run-target.ts';
import { SettingsError } from '../config/settings.ts';

export const SETUP_HOST_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-host');

export interface SetUpHostOptions {
  /**
   * The image for the current recipe is in the cache already (built here or imported), so the guest's
   * Debian packages need no apt candidate: an Ubuntu host, whose apt has no Debian cloud kernel, can run.
   */
  imageCached: boolean;
  platform?: NodeJS.Platform;
  /** Tests point this at a stand-in script. */
  script?: string;
}

export async function setUpHost(arch: GuestArch, onProgress: (line: string) => void, { imageCached, platform = process.platform, script = SETUP_HOST_SCRIPT }: SetUpHostOptions): Promise<void> {
  // The script knows apt hosts only; other hosts get their own checks from the run's preparation.
  if (platform !== 'linux') return;
  const env = { GAUNTLET_ARCH: arch, ...(imageCached ? { GAUNTLET_IMAGE_CACHED: '1' } : {}) };
  const result = await execa('bash', [script], { env, reject: false, all: true });
  const lines = (result.all ?? '').split('\n').filter(Boolean);
  if (result.exitCode !== 0) {
    // Its own one-line complaint (the command to run, or what failed) is the error.
    const complaint = lines.reverse().find((l) => l.startsWith('setup-host:')) ?? lines[0] ?? `exit ${result.exitCode}`;
    throw new SettingsError(complaint.replace(/^setup-host:\s*/, 'host setup: '));
  }
  for (const line of lines) onProgress(line.replace(/^setup-host:\s*/, 'host setup: '));
}
