/**
 * vitest global setup: prepares the run when vitest is started directly (the CLI prepares it itself
 * and passes the settings down), and sweeps the run directory when the run ends.
 */
import { readSettings, settingsToEnv } from '../config/settings.ts';
import { prepareRun } from '../run/prepare.ts';
import { sweepRunDir } from '../run/run-dir.ts';

export default async function setup(): Promise<() => void> {
  const initial = readSettings();
  if (initial.target && initial.runDir) return () => {};
  const { settings } = await prepareRun(initial, (line) => process.stderr.write(`gauntlet: ${line}\n`));
  Object.assign(process.env, settingsToEnv(settings));
  return () => {
    sweepRunDir(settings.runDir);
  };
}
