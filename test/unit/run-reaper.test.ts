import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diesWithParent } from '../../harness/host/dies-with-parent.ts';
import { processExists } from '../../harness/host/process-exists.ts';
import { reapDeadRuns } from '../../harness/run/run-dir.ts';
import { deadPid } from './fixtures/dead-pid.ts';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'gauntlet-reaper-test-'));
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});


async function runDir(name: string, owner: number | undefined): Promise<string> {
  const dir = path.join(parent, name);
  await mkdir(path.join(dir, 'vm0'), { recursive: true });
  if (owner !== undefined) await writeFile(path.join(dir, 'owner.pid'), `${owner}\n`);
  return dir;
}

describe('reaping what dead runs left', () => {
  it('removes the run dirs of dead owners, and old ownerless ones; never a live run or one being created', async () => {
    const dead = await runDir('gauntlet-run-dead', await deadPid());
    const live = await runDir('gauntlet-run-live', process.pid);
    const ownerlessOld = await runDir('gauntlet-run-ownerless-old', undefined);
    const ownerlessNew = await runDir('gauntlet-run-ownerless-new', undefined);
    const unrelated = await runDir('gauntlet-someone-else', await deadPid());
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(ownerlessOld, anHourAgo, anHourAgo);

    const { reaped } = reapDeadRuns(parent);
    expect(reaped.map((entry) => entry.dir).sort()).toEqual([dead, ownerlessOld].sort());
    for (const dir of [dead, ownerlessOld]) expect(existsSync(dir)).toBe(false);
    for (const dir of [live, ownerlessNew, unrelated]) expect(existsSync(dir)).toBe(true);
  });

  it('kills the VMMs a dead run left running, found through their pid files', async () => {
    const dir = await runDir('gauntlet-run-killed', await deadPid());
    // A stand-in VMM whose command line names the run dir, as QEMU's does (its sockets live there).
    const vmm = execa(process.execPath, ['-e', 'setTimeout(() => {}, 300_000)', path.join(dir, 'vm0', 'qmp.sock')], { reject: false });
    await writeFile(path.join(dir, 'vm0', 'vmm.pid'), `${vmm.pid}\n`);
    const { reaped } = reapDeadRuns(parent);
    expect(reaped).toEqual([{ dir, killed: [vmm.pid] }]);
    await vmm;
    expect(processExists(vmm.pid!)).toBe(false);
  });
});

describe('a VMM dies with the worker that started it', () => {
  const qemu = { file: 'qemu-system-x86_64', args: ['-M', 'microvm'] };

  it('on Linux runs it under setpriv --pdeathsig KILL, which execs it in place', () => {
    expect(diesWithParent(qemu, { platform: 'linux' }, (file) => file === '/usr/bin/setpriv')).toEqual({
      file: '/usr/bin/setpriv',
      args: ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', '-M', 'microvm'],
    });
  });

  it('leaves the command as it is where there is no parent-death signal (macOS) or no setpriv', () => {
    expect(diesWithParent(qemu, { platform: 'darwin' }, () => true)).toEqual(qemu);
    expect(diesWithParent(qemu, { platform: 'linux' }, () => false)).toEqual(qemu);
  });

  it('really kills the child when its parent is killed with SIGKILL (this host)', async () => {
    if (process.platform !== 'linux' || !existsSync('/usr/bin/setpriv')) return;
    const { file, args } = diesWithParent({ file: 'sleep', args: ['300'] }, { platform: 'linux' });
    // A parent that starts the child and reports its pid, then waits to be killed.
    const script = `const c = require('node:child_process').spawn(${JSON.stringify(file)}, ${JSON.stringify(args)}, { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parentProcess = execa(process.execPath, ['-e', script], { reject: false });
    const childPid = await new Promise<number>((resolve) => parentProcess.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(processExists(childPid)).toBe(true);
    parentProcess.kill('SIGKILL');
    await parentProcess;
    const deadline = Date.now() + 5_000;
    // The orphan is killed at once; it may stay a zombie a moment until init reaps it.
    const gone = () => !processExists(childPid) || /^Z/m.test(readState(childPid));
    while (!gone() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gone()).toBe(true);
  });
});

function readState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '';
  } catch {
    return '';
  }
}
