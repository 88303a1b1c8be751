import { balloonCase, describeBalloon } from './balloon-case.ts';
import { GUEST_STATS_VM } from './balloon-vm.ts';
import {
  checkAllocAtFullSize,
  checkControlDoubleClose,
  checkControlDoubleConnect,
  checkControlNotConnected,
  checkDeflateAboveMaxClamps,
  checkDeflateRestoresAllocation,
  checkGuestStats,
  checkInflateBelowMinimumClamps,
  checkInflateIdempotent,
  checkInflateReducesAvailable,
  checkInflateUnderPressure,
  checkRandomTargetSoak,
  checkRapidCycles,
  checkWarmPoolLifecycle,
} from './checks.ts';

describeBalloon(() => {
  balloonCase('alloc-at-full-size', checkAllocAtFullSize);
  balloonCase('inflate-reduces-available', checkInflateReducesAvailable);
  balloonCase('deflate-restores-allocation', checkDeflateRestoresAllocation);
  balloonCase('inflate-below-minimum-clamps', checkInflateBelowMinimumClamps);
  balloonCase('deflate-above-max-clamps', checkDeflateAboveMaxClamps);
  balloonCase('rapid-cycles', checkRapidCycles);
  balloonCase('inflate-idempotent', checkInflateIdempotent);
  balloonCase('inflate-under-pressure', checkInflateUnderPressure);
  balloonCase('control-not-connected', checkControlNotConnected);
  balloonCase('control-double-connect', checkControlDoubleConnect);
  balloonCase('control-double-close', checkControlDoubleClose);
  balloonCase('warm-pool-lifecycle', checkWarmPoolLifecycle);
  balloonCase('guest-stats', checkGuestStats, GUEST_STATS_VM);
  balloonCase('random-target-soak', checkRandomTargetSoak);
});
