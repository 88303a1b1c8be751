/**
 * Writes a cpio "newc" archive (the format the kernel unpacks as initramfs) from an in-memory file
 * list. Written here rather than with cpio(1) so that owners are root, inode numbers and times are
 * fixed, and /dev/console can be a device node without the builder being root: the archive is then
 * byte-for-byte reproducible.
 */

export type CpioEntry =
  | { path: string; type: 'dir'; mode: number }
  | { path: string; type: 'file'; mode: number; data: Buffer }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'char'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(fields: number[], name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const hex = fields.map((f) => f.toString(16).padStart(8, '0')).join('');
  const head = Buffer.from(`070701${hex}`, 'latin1');
  // Header + name is padded to a multiple of 4, counted from the start of the header.
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length))]);
}

/** Entries are sorted by path (parents before children); mtime is in seconds since the epoch. */
export function writeCpioNewc(entries: CpioEntry[], mtime: number): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  let ino = 0;
  for (const entry of sorted) {
    if (!entry.path || entry.path.startsWith('/')) throw new Error(`cpio paths are relative: ${entry.path}`);
    ino += 1;
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rdev = [0, 0];
    switch (entry.type) {
      case 'dir':
        mode = S_IFDIR | entry.mode;
        break;
      case 'file':
        mode = S_IFREG | entry.mode;
        data = entry.data;
        break;
      case 'symlink':
        mode = S_IFLNK | 0o777;
        data = Buffer.from(entry.target, 'utf8');
        break;
      case 'char':
        mode = S_IFCHR | entry.mode;
        rdev = [entry.major, entry.minor];
        break;
    }
    const nlink = entry.type === 'dir' ? 2 : 1;
    const name = Buffer.byteLength(entry.path) + 1;
    // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    parts.push(header([ino, mode, 0, 0, nlink, mtime, data.length, 0, 0, rdev[0]!, rdev[1]!, name, 0], entry.path));
    parts.push(data, Buffer.alloc(pad4(data.length)));
  }
  parts.push(header([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 'TRAILER!!!'.length + 1, 0], 'TRAILER!!!'));
  return Buffer.concat(parts);
}
