/**
 * `gauntlet runtime check exec:COMMAND`: prepares a run as `gauntlet run` would (the adapter inherits
 * its settings), runs the conformance check and prints one line a step. Exit 0 when every step passed,
 * 1 when one did not.
 */
import { settingsToEnv, type RunSettings } from '../config/settings.ts';
import { ensureGuestImage } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { parseAdapterCommand } from '../runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../runtime/exec-adapter/conformance.ts';
import { createRunDir, sweepRunDir } from '../run/run-dir.ts';
import { UsageError } from './args.ts';

export async function checkCommand(runtime: string, given: RunSettings): Promise<number> {
  let command;
  try {
    command = parseAdapterCommand(runtime);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const log = (line: string) => console.error(`gauntlet: ${line}`);
  const resolved = await withResolvedKernelPackage({ ...given, runtime: undefined }, log);
  await ensureGuestImage({ ...imageChoice(resolved), onProgress: log });
  const settings = { ...resolved, runDir: await createRunDir() };
  try {
    const steps = await checkAdapter(command, { ...process.env, ...settingsToEnv(settings) });
    for (const { step, ok, detail } of steps) console.log(`${ok ? 'ok  ' : 'MISSING'} ${step}: ${detail}`);
    const failed = steps.filter((step) => !step.ok).length;
    console.log(failed === 0 ? `runtime ${runtime}: every check passed` : `runtime ${runtime}: ${failed} check(s) failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    sweepRunDir(settings.runDir);
  }
}
