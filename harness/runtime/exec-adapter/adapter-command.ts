/** `--runtime exec:PATH [ARGS]`: the adapter's command line, one string split as a shell splits words. */

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
  const words = splitWords(runtime.slice(EXEC_PREFIX.length));
  if (words.length === 0) throw new Error('exec: names no command (e.g. --runtime exec:"npx gauntlet runtime serve qemu")');
  return { file: words[0]!, args: words.slice(1), label: `"${runtime.slice(EXEC_PREFIX.length).trim()}"` };
}

/** Words separated by blanks; single quotes keep everything, double quotes and backslashes as in sh. No expansion. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (char === '\\' && i + 1 < text.length && (quote === undefined || '"\\$`'.includes(text[i + 1]!))) {
      word = (word ?? '') + text[++i];
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in the adapter command: ${text}`);
  if (word !== undefined) words.push(word);
  return words;
}
