/**
 * `--runtime exec:...`: the adapter must start and say hello in a protocol version we speak before any
 * case runs; otherwise every case would fail for the same reason, which is no verdict on the runtime.
 */
import { PREPARED_TARGET_ENV } from '../../config/prepared-env.ts';
import { ENV, SettingsError } from '../../config/settings.ts';
import { parseAdapterCommand } from './adapter-command.ts';
import { startAdapter } from './handshake.ts';
import type { InitializeResult } from './protocol.ts';

/** The progress line of a run's runtime adapter. */
export function describeAdapter(runtime: string, hello: InitializeResult): string {
  const vmm = hello.vmm ? `, VMM ${hello.vmm.name} ${hello.vmm.version}` : '';
  return `${hello.runtime.name} ${hello.runtime.version} through adapter ${runtime} (protocol ${hello.protocolVersion}${vmm})`;
}

/** What the adapter said of itself; throws a one-line SettingsError when it cannot start or speak. */
export async function adapterPreflight(runtime: string): Promise<InitializeResult> {
  let command;
  try {
    command = parseAdapterCommand(runtime);
  } catch (error) {
    throw new SettingsError(`--runtime: ${(error as Error).message}`);
  }
  try {
    const { process, hello } = await startAdapter(command, envWithoutTarget());
    await process.close();
    return hello;
  } catch (error) {
    // One line: what went wrong, and the last thing the adapter said on stderr.
    const [first, ...tail] = (error as Error).message.split('\n');
    const last = tail.filter((line) => line.trim()).pop();
    throw new SettingsError(last ? `${first} ${last.trim()}` : first!);
  }
}

/**
 * The preflight asks the adapter before this run has a target: one left in the environment by an
 * earlier cell of `gauntlet test` (another arch) must not answer for it.
 */
function envWithoutTarget(): NodeJS.ProcessEnv {
  const { [ENV.target]: _target, [PREPARED_TARGET_ENV]: _prepared, ...env } = process.env;
  return env;
}
