/**
 * The faults the QEMU runtime honours, for the adapter's initialize (`gauntlet runtime serve qemu`
 * offers them all): the reference runtime injects every fault of the contract.
 */
import { FAULTS, type Fault } from '../../contract/faults.ts';

export const QEMU_FAULTS: readonly Fault[] = FAULTS;
