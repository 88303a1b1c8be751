/**
 * vitest global setup: prepares the run when vitest is started directly (the CLI prepares it itself
 * and passes the settings down), and sweeps the run directory when the run ends.
 */
import { readPreparedTarget, targetEnv } from '../config/prepared-env.ts';
import { readSettings, settingsToEnv } from '../config/settings.ts';
import { prepareRun } from '../run/prepare.ts';
import { sweepRunDir } from '../run/run-dir.ts';

export default async function setup(): Promise<() => void> {
  if (readPreparedTarget()) return () => {};
  const { settings, target } = await prepareRun(readSettings(), (line) => process.stderr.write(`gauntlet: ${line}\n`));
  Object.assign(process.env, settingsToEnv(settings), targetEnv(target));
  return () => {
    sweepRunDir(settings.runDir);
  };
}
