/** The QEMU process of one VM: start, watch, kill, and prove it is gone. */
import { execa, type Options, type ResultPromise } from 'execa';
import { diesWithParent } from '../../host/dies-with-parent.ts';
import { thisHost, type HostPlatform } from '../../host/platform.ts';

/** The VMM's fd number of `extraFd`: the first after stdin, stdout and stderr. */
export const VMM_EXTRA_FD = 3;

export class VmmProcess {
  private exited = false;
  private exitDescription = '';
  private readonly done: Promise<void>;

  private constructor(private readonly child: ResultPromise) {
    this.done = child.then(
      (result) => this.markExited(`exit code ${result.exitCode}`),
      (error: { exitCode?: number; signal?: string; stderr?: string }) =>
        this.markExited(
          `${error.signal ? `signal ${error.signal}` : `exit code ${error.exitCode}`}${error.stderr ? `: ${String(error.stderr).trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        ),
    );
  }

  /**
   * `extraFd`: an open file descriptor of ours the VMM gets as its VMM_EXTRA_FD. `stderrFile`: its
   * stderr is kept there too (for a failed case's bundle), besides the tail its exit reason quotes.
   */
  static start(binary: string, args: string[], { extraFd, stderrFile }: { extraFd?: number; stderrFile?: string } = {}, host: Pick<HostPlatform, 'platform'> = thisHost): VmmProcess {
    // cleanup: execa kills the child if this worker exits; diesWithParent also when it is killed outright.
    const { file, args: argv } = diesWithParent({ file: binary, args }, host);
    // execa hands a plain fd number in stdio[3] to the spawn as it is; its types only list fd 0-2 for numbers.
    // Appended: a VM stopped and started keeps every boot's stderr.
    const stderr = stderrFile === undefined ? 'pipe' : ['pipe', { file: stderrFile, append: true }];
    const stdio = ['ignore', 'ignore', stderr, ...(extraFd === undefined ? [] : [extraFd])] as unknown as Options['stdio'];
    const child = execa(file, argv, { stdio, cleanup: true, reject: true });
    return new VmmProcess(child);
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** How the process ended, e.g. "exit code 1: qemu-system-x86_64: -accel kvm: ...". */
  get exitReason(): string {
    return this.exitDescription;
  }

  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const exited = await Promise.race([this.done.then(() => true), timedOut]);
    clearTimeout(timer);
    return exited;
  }

  /** SIGKILL and wait; throws if the process is somehow still there. */
  async kill(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    if (!(await this.waitForExit(graceMs))) throw new Error(`VMM process ${this.child.pid} survived SIGKILL`);
  }

  private markExited(description: string): void {
    this.exited = true;
    this.exitDescription = description;
  }
}

