/**
 * One word for a POSIX shell (the guest's busybox sh, the host's /bin/sh behind a VMM's `exec:` migration URI, a
 * command line written for a person to paste): left bare when it holds only characters no shell
 * treats specially, so a logged command line stays readable; single-quoted otherwise, where the only
 * character that needs care is ' itself.
 */
const NEEDS_NO_QUOTES = /^[\w@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  return NEEDS_NO_QUOTES.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
