/**
 * `--runtime exec:...`: the adapter must start and say hello in a protocol version we speak before any
 * case runs; otherwise every case would fail for the same reason, which is no verdict on the runtime.
 */
import { SettingsError } from '../config/settings.ts';
import { parseAdapterCommand } from '../runtime/exec-adapter/adapter-command.ts';
import { startAdapter } from '../runtime/exec-adapter/handshake.ts';

/** One line naming the adapter's runtime; throws a one-line SettingsError when it cannot start or speak. */
export async function adapterPreflight(runtime: string): Promise<string> {
  let command;
  try {
    command = parseAdapterCommand(runtime);
  } catch (error) {
    throw new SettingsError(`--runtime: ${(error as Error).message}`);
  }
  try {
    const { process, hello } = await startAdapter(command);
    await process.close();
    const vmm = hello.vmm ? `, VMM ${hello.vmm.name} ${hello.vmm.version}` : '';
    return `${hello.runtime.name} ${hello.runtime.version} through adapter ${command.label} (protocol ${hello.protocolVersion}${vmm})`;
  } catch (error) {
    // One line: what went wrong, and the last thing the adapter said on stderr.
    const [first, ...tail] = (error as Error).message.split('\n');
    const last = tail.filter((line) => line.trim()).pop();
    throw new SettingsError(last ? `${first} ${last.trim()}` : first!);
  }
}
