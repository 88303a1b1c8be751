/** Progress lines for long work: shown on a terminal, kept quiet in logs unless asked for. */
export function progress(line: string): void {
  if (process.stderr.isTTY || process.env.CI) process.stderr.write(`gauntlet: ${line}\n`);
}

/**
 * One line per finished case, for CI logs: vitest reports a test file only once it is done, which for
 * a suite of VM cases can be many quiet minutes. A terminal has vitest's live view instead.
 */
export function caseProgress(line: string): void {
  if (!process.stderr.isTTY && process.env.CI) process.stderr.write(`gauntlet: ${line}\n`);
}
