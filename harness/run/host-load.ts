/**
 * `gauntlet run --load N`: N processes that each keep one host core busy for the whole run, as the
 * neighbours of a shared CI runner do. A case that passes on a quiet machine and fails here was timing
 * on luck; this is how flakiness is hunted before a gate cries wolf.
 */
import { execa, type ResultPromise } from 'execa';

export interface HostLoad {
  stop(): void;
}

/** A busy loop in its own process; the scheduler spreads them over cores like any other load. */
const SPIN = 'for (;;) {}';

export function startHostLoad(cores: number): HostLoad {
  // cleanup: if this process dies, execa kills them too; the interrupt handler kills them as descendants.
  const spinners: ResultPromise[] = Array.from({ length: cores }, () =>
    execa(process.execPath, ['-e', SPIN], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', cleanup: true, reject: false }),
  );
  return {
    stop() {
      for (const spinner of spinners) spinner.kill('SIGKILL');
    },
  };
}
