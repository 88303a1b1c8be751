import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../harness/config/settings.ts';
import { setUpHost } from '../../harness/run/setup-host.ts';
import { scratchDir, scratchDirSync } from '../fixtures/scratch-dir.ts';

function standIn(body: string): string {
  const file = path.join(scratchDirSync('setup-host-test'), 'setup-host');
  writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
  return file;
}

describe('setUpHost (the CLI running scripts/setup-host before a run)', () => {
  it("passes the run's guest arch and reports the script's lines as progress", async () => {
    const lines: string[] = [];
    await setUpHost('aarch64', (line) => lines.push(line), { imageCached: false, platform: 'linux', script: standIn('echo "setup-host: ok ($GAUNTLET_ARCH guests)"') });
    expect(lines).toEqual(['host setup: ok (aarch64 guests)']);
  });

  it("turns the script's refusal into one settings error line (exit 2 upstream)", async () => {
    const script = standIn('echo "setup-host: checking"; echo "setup-host: needs root to prepare this host; run: sudo apt-get install qemu-system-arm" >&2; exit 2');
    const failure = setUpHost('aarch64', () => {}, { imageCached: false, platform: 'linux', script });
    await expect(failure).rejects.toBeInstanceOf(SettingsError);
    await expect(failure).rejects.toThrow(/^host setup: needs root to prepare this host; run: sudo apt-get install qemu-system-arm$/);
  });

  it('leaves non-Linux hosts to their own checks', async () => {
    await setUpHost('aarch64', () => {}, { imageCached: false, platform: 'darwin', script: '/nonexistent/setup-host' });
  });
});
