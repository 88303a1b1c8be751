/** Connecting to a unix socket that a VMM we just started may not have created yet. */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

function connectOnce(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Retries until the socket accepts, the deadline passes or the VMM has died (no point waiting for a
 * socket a dead process will never create). Throws with `what` and the last error.
 */
export async function connectUnixSocket(
  path: string,
  what: string,
  deadlineMs: number,
  isVmmAlive: () => boolean = () => true,
): Promise<net.Socket> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    try {
      const socket = await connectOnce(path);
      socket.on('error', () => {});
      return socket;
    } catch (error) {
      if (!isVmmAlive()) throw new Error(`cannot connect to ${what} at ${path}: the VMM exited`);
      if (Date.now() > giveUpAt) throw new Error(`cannot connect to ${what} at ${path}: ${(error as Error).message}`);
      await sleep(20);
    }
  }
}
