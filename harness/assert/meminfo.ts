/** /proc/meminfo as numbers. Values stay in KiB, the file's own unit, so nothing is rounded twice. */

export function parseMeminfo(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  // Counters such as HugePages_Total carry no unit; the rest end in "kB" (which means KiB).
  for (const match of text.matchAll(/^([^\s:]+):\s+(\d+)(?:\s+kB)?\s*$/gm)) {
    values[match[1]!] = Number(match[2]);
  }
  return values;
}

export function meminfoMiB(text: string, key: string): number {
  const values = parseMeminfo(text);
  const kib = values[key];
  if (kib === undefined) {
    const seen = Object.keys(values);
    throw new Error(
      `/proc/meminfo: no ${key} line; keys seen: ${seen.length ? seen.join(', ') : 'none'}; ` +
        `text starts: ${JSON.stringify(text.slice(0, 120))}`,
    );
  }
  return kib / 1024;
}
