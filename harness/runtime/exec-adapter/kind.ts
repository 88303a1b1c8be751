/**
 * Runtime kind "exec": an out-of-process runtime of any language behind the runtime protocol
 * (`--runtime exec:COMMAND`). Its preflight starts the adapter and takes the target from its answer;
 * a worker starts it again, handing it the prepared target's environment.
 */
import { targetEnv } from '../../config/prepared-env.ts';
import type { RunSettings } from '../../config/settings.ts';
import type { PreparedTarget } from '../../contract/prepared-target.ts';
import { EXEC_PREFIX, parseAdapterCommand } from './adapter-command.ts';
import { ExecRuntime } from './exec-runtime.ts';
import { adapterPreflight, describeAdapter } from './preflight.ts';
import { adapterTarget } from './target.ts';

export const execKind = {
  name: 'exec',
  selects: (runtime: string) => runtime.startsWith(EXEC_PREFIX),
  async prepare(settings: RunSettings, onProgress: (line: string) => void) {
    const runtime = settings.runtime!;
    const hello = await adapterPreflight(runtime);
    onProgress(`runtime: ${describeAdapter(runtime, hello)}`);
    const target = adapterTarget(runtime, hello, settings);
    return async () => target;
  },
  open(target: PreparedTarget) {
    if (!target.runtimeAdapter) throw new Error('the prepared target names no adapter command (runtimeAdapter)');
    return ExecRuntime.open(parseAdapterCommand(target.runtimeAdapter), target.accelerator, { ...process.env, ...targetEnv(target) });
  },
  rawBoot: (target: PreparedTarget) => ({ unavailable: `the adapter's VMM boots only through the adapter: ${target.runtime} runs its own behind ${target.runtimeAdapter}` }),
};
