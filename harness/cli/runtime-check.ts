/**
 * `gauntlet runtime check exec:COMMAND`: prepares a run as `gauntlet run` would (the adapter inherits
 * its settings), runs the conformance check and prints every finding: one line a step, the exchange
 * under a failure. Exit 0 when no step failed (warnings do not fail it), 1 when one did.
 */
import { settingsToEnv, type RunSettings } from '../config/settings.ts';
import { ensureGuestImage } from '../image/index.ts';
import { imageChoice, withResolvedKernelPackage } from '../image/image-choice.ts';
import { parseAdapterCommand } from '../runtime/exec-adapter/adapter-command.ts';
import { checkAdapter } from '../runtime/exec-adapter/conformance.ts';
import { formatFinding } from '../runtime/exec-adapter/conformance-findings.ts';
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
    const started = performance.now();
    const findings = await checkAdapter(command, { ...process.env, ...settingsToEnv(settings) });
    for (const finding of findings) console.log(formatFinding(finding));
    const failed = findings.filter((finding) => finding.verdict === 'fail').length;
    const warned = findings.filter((finding) => finding.verdict === 'warn').length;
    const warnings = warned === 0 ? '' : `, ${warned} warning(s)`;
    const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    console.log(failed === 0 ? `runtime ${runtime}: every check passed${warnings} (${took})` : `runtime ${runtime}: ${failed} check(s) failed${warnings} (${took})`);
    return failed === 0 ? 0 : 1;
  } finally {
    sweepRunDir(settings.runDir);
  }
}
