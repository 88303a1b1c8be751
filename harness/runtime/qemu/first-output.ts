/**
 * When a VM's serial console log first holds output, told by the host's file-change notification
 * (inotify, FSEvents) instead of polling, so the milestone is as exact as the boot it times. Whoever
 * writes the log (the harness's console reader, or the VMM itself) makes no difference.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export class FirstOutputWatch {
  private seenAt: number | undefined;
  private watcher: FSWatcher | undefined;

  /** Starts watching `logFile` (its directory must exist); call before the VMM starts. */
  constructor(private readonly logFile: string) {
    this.watcher = watch(path.dirname(logFile), (_event, name) => {
      if (name === path.basename(logFile) && this.hasOutput()) this.seen(Date.now());
    });
    this.watcher.on('error', () => this.stop());
  }

  /** Stops watching; the epoch milliseconds of the first output, undefined when none came. */
  stop(): number | undefined {
    this.watcher?.close();
    this.watcher = undefined;
    return this.seenAt;
  }

  private seen(at: number): void {
    this.seenAt ??= at;
    this.stop();
  }

  private hasOutput(): boolean {
    try {
      return statSync(this.logFile).size > 0;
    } catch {
      return false;
    }
  }
}
