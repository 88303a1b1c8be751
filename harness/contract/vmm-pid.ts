/**
 * Part of the contract with the run dir: every runtime that starts a VMM process under the run dir
 * writes its pid to a file of this name in the VM's directory. The sweep and the reap of killed runs
 * find what to kill by this name alone, whichever VMM it is.
 */
export const VMM_PID_FILE = 'vmm.pid';
