/**
 * A host that runs out of space under a running VM, without a small filesystem to fill (mounting one
 * needs root). QEMU's blkdebug driver fails the writes that reach it with ENOSPC (errno 28), exactly
 * the error a full host filesystem returns to QEMU's file layer. It is slid in under the root image
 * while the VM runs and taken out again to "free the space".
 *
 * The root drive is qcow2 → raw → file (command-line.ts, hostStorageControl); the swap reopens the
 * raw node with another file child. Reopening the qcow2 node itself would not do: a reopen flushes
 * the node first, and a qcow2 node with metadata it could not write cannot flush until the space is
 * back. The raw node holds no metadata, so both swaps go through while writes fail.
 */
import type { QmpClient } from './qmp-client.ts';
import { ROOT_FILE_NODE, ROOT_STORAGE_NODE } from './command-line.ts';

const ENOSPC = 28;
const FULL_STORAGE_NODE = 'root-storage-full';

export async function setHostStorageFull(qmp: QmpClient, full: boolean): Promise<void> {
  if (full) {
    await qmp.execute('blockdev-add', {
      driver: 'blkdebug',
      'node-name': FULL_STORAGE_NODE,
      image: ROOT_FILE_NODE,
      // Event "none" arms the rule when the node opens: from then on every write fails.
      'inject-error': [{ event: 'none', iotype: 'write', errno: ENOSPC }],
    });
    await useFile(qmp, FULL_STORAGE_NODE);
  } else {
    await useFile(qmp, ROOT_FILE_NODE);
    await qmp.execute('blockdev-del', { 'node-name': FULL_STORAGE_NODE });
  }
}

function useFile(qmp: QmpClient, file: string): Promise<unknown> {
  return qmp.execute('blockdev-reopen', { options: [{ driver: 'raw', 'node-name': ROOT_STORAGE_NODE, file }] });
}
