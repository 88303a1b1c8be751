/**
 * `gauntlet runtime serve qemu`: the reference runtime as an adapter on stdin/stdout. stdout carries
 * protocol lines only, so everything that would log there goes to stderr, which the harness keeps
 * the tail of for the message of a case the adapter fails.
 */
import { serveRuntime } from '../runtime/exec-adapter/serve.ts';
import { servedQemu } from '../runtime/qemu/served.ts';
import { UsageError } from './args.ts';

const SERVED: Record<string, () => ReturnType<typeof servedQemu>> = { qemu: () => servedQemu() };

export async function serveCommand(name: string): Promise<number> {
  const served = SERVED[name];
  if (!served) throw new UsageError(`gauntlet runtime serve knows ${Object.keys(SERVED).join(', ')} (got ${name})`);
  console.log = console.error;
  console.info = console.error;
  await serveRuntime(served(), process.stdin, process.stdout, (line) => console.error(`gauntlet runtime serve ${name}: ${line}`));
  return 0;
}
