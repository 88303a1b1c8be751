/**
 * busybox applets without running busybox: the binary carries its applet names as one sorted,
 * NUL-separated table starting with "[". Reading it works for a guest binary of any architecture,
 * where `busybox --list` would need that architecture (or binfmt emulation) on the host.
 */

const NAME = /^[a-z0-9_.[\]-]+$/;

export function busyboxApplets(binary: Buffer): string[] {
  const start = Buffer.from('[\0', 'latin1');
  for (let at = binary.indexOf(start); at !== -1; at = binary.indexOf(start, at + 1)) {
    if (at > 0 && binary[at - 1] !== 0) continue;
    const names: string[] = [];
    let pos = at;
    while (pos < binary.length && binary[pos] !== 0) {
      const end = binary.indexOf(0, pos);
      if (end === -1) break;
      const name = binary.toString('latin1', pos, end);
      if (!NAME.test(name) || (names.length && name <= names[names.length - 1]!)) break;
      names.push(name);
      pos = end + 1;
    }
    // The table ends with an empty string; a short or unsorted run is some other "[" in the binary.
    if (binary[pos] === 0 && names.length >= 20 && names.includes('sh')) return names;
  }
  throw new Error('no applet table found in the busybox binary');
}

/** Applets that must not become links in /bin: busybox itself is the target. */
export function appletLinks(applets: string[]): string[] {
  return applets.filter((name) => name !== 'busybox');
}
