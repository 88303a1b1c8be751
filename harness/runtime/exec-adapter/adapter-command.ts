/** `--runtime exec:PATH [ARGS]`: the adapter's command line, one string split as a shell splits words. */
import { shellWords } from '../../text/shell-words.ts';

export interface AdapterCommand {
  file: string;
  args: string[];
  /** The string as given, for messages. */
  label: string;
}

export const EXEC_PREFIX = 'exec:';

/** The adapter command of `exec:COMMAND [ARGS]`; throws one line when it is malformed. */
export function parseAdapterCommand(runtime: string): AdapterCommand {
  if (!runtime.startsWith(EXEC_PREFIX)) throw new Error(`a runtime adapter is given as exec:COMMAND [ARGS] (got ${runtime})`);
  const { words, operator } = shellWords(runtime.slice(EXEC_PREFIX.length));
  if (operator) throw new Error(`the adapter command is started without a shell: ${operator} has no meaning there (got ${runtime})`);
  if (words.length === 0) throw new Error('exec: names no command (e.g. --runtime exec:"npx gauntlet runtime serve qemu")');
  return { file: words[0]!, args: words.slice(1), label: `"${runtime.slice(EXEC_PREFIX.length).trim()}"` };
}
