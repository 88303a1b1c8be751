import { describe, expect, it } from 'vitest';
import { expectEnospc, isEnospc } from '../../harness/assert/enospc.ts';
import type { ExecResult } from '../../harness/contract/sandbox.ts';

function result(overrides: Partial<Omit<ExecResult, 'stdout' | 'stderr'>> & { stdout?: string; stderr?: string }): ExecResult {
  return {
    exitCode: overrides.exitCode ?? 0,
    stdout: Buffer.from(overrides.stdout ?? ''),
    stderr: Buffer.from(overrides.stderr ?? ''),
    timedOut: overrides.timedOut ?? false,
    truncated: false,
    durationMs: 5,
  };
}

const ddFull = "dd: error writing '/fill': No space left on device\n12+0 records in\n";

describe('ENOSPC', () => {
  it('recognises a failing write that reports no space, on stderr or stdout', () => {
    expect(isEnospc(result({ exitCode: 1, stderr: ddFull }))).toBe(true);
    expect(isEnospc(result({ exitCode: 1, stdout: 'touch: No space left on device' }))).toBe(true);
    expect(() => expectEnospc(result({ exitCode: 1, stderr: ddFull }), 'dd fill')).not.toThrow();
  });

  it('rejects a write that succeeded even if it printed the text', () => {
    expect(isEnospc(result({ exitCode: 0, stderr: ddFull }))).toBe(false);
    expect(() => expectEnospc(result({ exitCode: 0, stderr: ddFull }), 'dd fill')).toThrow(/^dd fill: expected to end with ENOSPC.*saw exit 0,/);
  });

  it('rejects a failure for another reason and quotes what it said', () => {
    const other = result({ exitCode: 1, stderr: 'dd: Input/output error\n' });
    expect(isEnospc(other)).toBe(false);
    expect(() => expectEnospc(other)).toThrow('command: expected to end with ENOSPC');
    expect(() => expectEnospc(other)).toThrow('stderr "dd: Input/output error\\n"');
  });

  it('rejects a writer that hung after hitting ENOSPC', () => {
    const hung = result({ exitCode: 124, stderr: ddFull, timedOut: true });
    expect(isEnospc(hung)).toBe(false);
    expect(() => expectEnospc(hung, 'writer 3')).toThrow(/writer 3: .*saw exit 124, timed out/);
  });
});
