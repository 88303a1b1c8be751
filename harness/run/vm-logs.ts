/**
 * The logs of the VMs a stopped run still had (their consoles, as their runtime kept them), copied
 * out of the run dir before the sweep removes it: a hung VM's console is exactly what a CI timeout
 * must not lose. A VM's directory is the one holding its runtime's `vmm.pid`; its logs are its `*.log`
 * files, whatever the runtime calls them.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findPidFiles } from './run-dir.ts';

/** Synchronous, like everything an interrupt handler calls. Returns the copies, relative to `destDir`. */
export function copyVmLogs(runDir: string, destDir: string): string[] {
  const copied: string[] = [];
  let pidFiles: string[];
  try {
    pidFiles = findPidFiles(runDir);
  } catch {
    return copied;
  }
  for (const vmDir of pidFiles.map((file) => path.dirname(file))) {
    const relative = path.join(path.basename(runDir), path.relative(runDir, vmDir));
    for (const log of readdirSync(vmDir).filter((name) => name.endsWith('.log'))) {
      mkdirSync(path.join(destDir, relative), { recursive: true });
      copyFileSync(path.join(vmDir, log), path.join(destDir, relative, log));
      copied.push(path.join(relative, log));
    }
  }
  return copied;
}
