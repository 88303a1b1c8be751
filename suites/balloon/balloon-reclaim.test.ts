/**
 * The balloon cases in which memory comes back (to the host, or to a guest on OOM): each spends most
 * of its time waiting on the guest and on host memory to settle, so they run side by side, and in a
 * file of their own the scheduler runs them beside the rest of the group.
 */
import { waitingTest } from '../../harness/vitest/vm-test.ts';
import { balloonCase, describeBalloon } from './balloon-case.ts';
import { DEFLATE_ON_OOM_VM, FREE_PAGE_REPORTING_VM, HOST_MEMORY_VM } from './balloon-vm.ts';
import { checkDeflateOnOom, checkFreePageReporting, checkHostRssReclaim } from './checks.ts';

describeBalloon(() => {
  balloonCase('host-rss-reclaim', checkHostRssReclaim, HOST_MEMORY_VM, waitingTest);
  balloonCase('free-page-reporting', checkFreePageReporting, FREE_PAGE_REPORTING_VM, waitingTest);
  balloonCase('deflate-on-oom', checkDeflateOnOom, DEFLATE_ON_OOM_VM, waitingTest);
});
