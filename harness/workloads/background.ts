/**
 * A workload that outlives the exec that started it (fixtures/workloads/background): it runs in its own
 * session in the guest, and its output is kept there for as long as it runs.
 */
import type { Sandbox } from '../contract/sandbox.ts';
import { runWorkload, workloadPath } from './run-workload.ts';

/** Every call here is a quick shell step in the guest, however long the workload itself runs. */
const CONTROL_TIMEOUT_SECONDS = 30;

export class BackgroundWorkload {
  private constructor(
    private readonly sandbox: Pick<Sandbox, 'exec'>,
    readonly name: string,
  ) {}

  static async start(sandbox: Pick<Sandbox, 'exec'>, name: string, workload: string, ...args: Array<string | number>): Promise<BackgroundWorkload> {
    await runWorkload(sandbox, CONTROL_TIMEOUT_SECONDS, 'background', 'start', name, workloadPath(workload), ...args);
    return new BackgroundWorkload(sandbox, name);
  }

  async alive(): Promise<boolean> {
    return (await this.control('alive')).trim() === 'alive';
  }

  output(): Promise<string> {
    return this.control('output');
  }

  async stop(): Promise<void> {
    await this.control('stop');
  }

  private control(action: string): Promise<string> {
    return runWorkload(this.sandbox, CONTROL_TIMEOUT_SECONDS, 'background', action, this.name);
  }
}
