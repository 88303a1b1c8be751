/**
 * `gauntlet runtime serve NAME`: an in-process runtime kind (the reference runtime is one) as an adapter on stdin/stdout. stdout carries
 * protocol lines only, so everything that would log there goes to stderr, which the harness keeps
 * the tail of for the message of a case the adapter fails.
 */
import { serveRuntime } from '../runtime/exec-adapter/serve.ts';
import { runtimeKinds } from '../runtime/kinds.ts';
import { UsageError } from './args.ts';

export async function serveCommand(name: string): Promise<number> {
  const servable = runtimeKinds().filter((kind) => kind.serve);
  const served = servable.find((kind) => kind.name === name)?.serve;
  if (!served) throw new UsageError(`gauntlet runtime serve knows ${servable.map((kind) => kind.name).join(', ')} (got ${name})`);
  console.log = console.error;
  console.info = console.error;
  await serveRuntime(served(), process.stdin, process.stdout, (line) => console.error(`gauntlet runtime serve ${name}: ${line}`));
  return 0;
}
