/**
 * The contract stays runtime-neutral: outside harness/runtime/qemu/, no file of the harness, the
 * cases or the CLI entry names QEMU, its control protocol, its disk format, its image tool or one of
 * its command-line flags, comments included (a comment says "the VMM's control channel"). A runtime in
 * another language must find nothing QEMU-shaped in what it plugs into. Where a user names QEMU on
 * purpose (the CLI's `--qemu` flag and the flags of the VMM's package, `runtime serve qemu`, record
 * fields naming the VMM's package) the line may say it; the few files that must are listed with their
 * reason; code that needs QEMU moves under runtime/qemu/ instead of joining the list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['harness', 'suites', 'bin'];
const QEMU_DIR = 'harness/runtime/qemu/';

const QEMU_WORDS: { what: string; pattern: RegExp }[] = [
  { what: 'QEMU by name', pattern: /qemu/i },
  { what: "QEMU's control protocol", pattern: /qmp/i },
  { what: "QEMU's disk format", pattern: /qcow2/i },
  { what: "QEMU's image tool", pattern: /qemu-img|qemuImg/i },
  {
    what: 'a QEMU command-line flag',
    pattern: /(^|[\s'"`(,[])-(device|machine|accel|drive|blockdev|incoming|netdev|chardev|pidfile|initrd|M)(?=[\s'"`,)\]]|$)/,
  },
];

/** File → why it may name QEMU's words. Keep it short: every entry is a leak someone chose to keep. */
const ALLOWED: Record<string, string> = {
  'harness/reports/run-json.ts': 'reads run.json @2, whose fields and metric names were QEMU\'s, and converts them to the neutral ones',
  'harness/runtime/kinds.ts': 'the registry lists the built-in kinds, and the reference runtime is one of them',
};

/** A line where the user names QEMU on purpose: a flag they type, or a record field naming the VMM's package. */
const ON_PURPOSE = [/--qemu\b/, /\bqemu:\s*\{\s*type:/, /\.qemu\b/, /runtime serve qemu/, /qemu-?package/i];

function leakIn(line: string): (typeof QEMU_WORDS)[number] | undefined {
  const words = QEMU_WORDS.filter(({ pattern }) => pattern.test(line));
  const onPurpose = ON_PURPOSE.some((pattern) => pattern.test(line));
  return words.find(({ what }) => !(onPurpose && what === 'QEMU by name'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return filesUnder(rel);
    return /\.(ts|js|mjs|sh)$/.test(entry.name) ? [rel] : [];
  });
}

describe('runtime-neutral layers', () => {
  it('no file outside harness/runtime/qemu/ names QEMU, QMP, qcow2, qemu-img or a QEMU flag (except on purpose, and the allowlist)', () => {
    const leaks: string[] = [];
    for (const file of SCANNED.flatMap(filesUnder)) {
      if (file.startsWith(QEMU_DIR) || file in ALLOWED) continue;
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const word = leakIn(line);
          if (word) leaks.push(`${file}:${index + 1}: ${word.what}: ${line.trim()}`);
        });
    }
    expect(leaks).toEqual([]);
  });

  it('every allowlisted file still exists and still needs its exception', () => {
    for (const file of Object.keys(ALLOWED)) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      expect(QEMU_WORDS.some(({ pattern }) => text.split('\n').some((line) => pattern.test(line))), file).toBe(true);
    }
  });

  it('sees QEMU words where they are: the guard would catch a leak', () => {
    const flagged = (line: string) => QEMU_WORDS.filter(({ pattern }) => pattern.test(line)).map(({ what }) => what);
    expect(flagged("args.push('-device', 'virtio-balloon')")).toEqual(['a QEMU command-line flag']);
    expect(flagged('// wait for the QMP event')).toEqual(["QEMU's control protocol"]);
    expect(flagged('const base = `rootfs.qcow2`;')).toEqual(["QEMU's disk format"]);
    expect(flagged('--kernel PATH, --machine NAME, -m 512')).toEqual([]);
    expect(leakIn('(${vmMemoryMiB} + ${overhead} QEMU overhead)')?.what).toBe('QEMU by name');
    expect(leakIn("import { qemuRawBoot } from '../runtime/qemu/raw-boot.ts';")?.what).toBe('QEMU by name');
    expect(leakIn('  --qemu PATH                QEMU system emulator to test')).toBeUndefined();
    expect(leakIn("  --qemu PATH  -device virtio")?.what).toBe('a QEMU command-line flag');
  });
});
