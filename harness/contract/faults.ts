/**
 * Deliberately broken behaviour, so each suite can prove its cases turn red on a broken VM.
 * Every fault names the part it breaks.
 */
export type Fault =
  /** The runtime lets the VMM write the serial console to a plain file, which grows as long as the guest writes. */
  | 'console-log-uncapped'
  /** The client keeps each line the guest sends whole until its newline, however long (the naive line reader). */
  | 'client-unbounded-line-buffer'
  /** The client does not wait for the agent's HELLO: create just sends its first exec and waits for that reply. */
  | 'client-no-hello-deadline'
  /** The client hands a reply whose id no request waits for to the oldest waiting request. */
  | 'client-delivers-stray-replies'
  | 'balloon-driver-missing'
  | 'no-free-page-reporting'
  | 'no-deflate-on-oom'
  /** The runtime leaves the VMM at its own default memory size (128 MiB for the reference VMM) instead of the VM's. */
  | 'vmm-default-memory'
  /** The VMM locks guest memory in host RAM so an inflated balloon frees nothing. */
  | 'guest-memory-locked'
  /** The runtime never turns the balloon's guest stats polling on. */
  | 'no-balloon-stats-polling'
  /** The balloon control passes targets below the runtime's minimum to the VMM. */
  | 'no-balloon-floor'
  /** The balloon control treats a target above the VM's memory as nothing to do and drops it. */
  | 'balloon-drops-target-above-memory'
  /** The balloon control keeps no connection state: it dials on every connect, closes what it may not hold, sends on no connection. */
  | 'balloon-control-untracked'
  /** The balloon control reports the size it was last asked for as the balloon's, never reading the VMM; its requests never reach the VMM. */
  | 'balloon-reports-target-reached'
  /** The balloon control resolves a move once the VMM has taken the new target, not once the guest has moved the balloon there. */
  | 'balloon-move-returns-early'
  /** The balloon control's inflate and deflate resolve to the size they moved to, not the size they moved from. */
  | 'balloon-move-returns-target'
  /** The balloon control's deflate asks the VMM for the target less the runtime's floor (subtracted where it should bound), floored. */
  | 'deflate-returns-less'
  /** The balloon control sends the balloon's size (memory − target, as some VMMs' APIs take it) where the VMM takes the guest's size; its floor bounds what it sends. */
  | 'balloon-target-as-size'
  /** The balloon control hands on the guest's memory statistics as KiB (as /proc/meminfo counts) scaled to bytes: 1024× too large. */
  | 'balloon-stats-wrong-unit'
  /**
   * The balloon control pauses the VM's vCPUs once a move has reached its target (parking it, as a
   * warm pool parks an idle VM so it costs the host no CPU) and resumes them only for its next move.
   */
  | 'balloon-move-leaves-vm-paused'
  /** start() boots from a fresh overlay of the base image instead of the VM's own disk. */
  | 'fresh-overlay-on-start'
  | 'no-discard'
  | 'oversized-rootfs'
  /** The runtime builds the root filesystem with mkfs's default inode count, not the one the spec asks for. */
  | 'rootfs-inodes-ignored'
  | 'overlay-leak-on-destroy'
  | 'agent-unguarded-reopen'
  /** The agent's read timeout never closes and reopens its port. */
  | 'agent-never-reopens'
  /** On timeout the agent kills the command's shell, not its process group. */
  | 'agent-shell-only-kill'
  /** The agent reports its output pipeline's exit status (always 0) instead of the command's. */
  | 'agent-pipeline-status'
  | 'agent-no-respawn'
  | 'client-ignores-request-ids'
  /** The client hands output on as UTF-8 text (turned back into bytes): binary output is mangled. */
  | 'client-output-as-text'
  /** The client reads only the timed-out flag of a reply: output the guest cut short looks complete. */
  | 'client-ignores-truncated-flag'
  /** The client keeps every chunk it receives (a debugging transcript): its memory grows with all output. */
  | 'client-keeps-transcript'
  /** The runtime's I/O limit on the VM's disks is given in the wrong unit: a write or two and a few KiB per second. */
  | 'io-throttle-starves'
  /** The client's upload reports success whatever the guest's write of the file did. */
  | 'upload-ignores-exit-code'
  /** Overlays are made with lazy refcounts (faster allocating writes): their refcounts on the host go stale until a clean close. */
  | 'lazy-refcounts'
  /** The VMM hands a failed host write (no space included) to the guest as an I/O error instead of pausing the VM. */
  | 'host-write-errors-reported'
  /** Every VM restored from one saved state runs on the same writable overlay. */
  | 'restore-shares-overlay'
  /** A restored VM's balloon is set back to the whole memory, as for a VM that just booted. */
  | 'restore-resets-balloon'
  /** The balloon's guest stats polling (host-side state, not in the saved state) is not turned on again after a restore. */
  | 'restore-loses-stats-polling'
  /** The host waits for the agent's HELLO after a restore, as after a boot; the restored agent, mid-read, greets only at its idle reopen. */
  | 'restore-awaits-hello'
  /** A restored VM's random generator is left as saved: every clone of a state hands out the same bytes until its kernel reseeds by itself. */
  | 'restore-skips-reseed'
  /** A restored VM's wall clock is left where it stood at the save (its clocks stop with the VM). */
  | 'restore-keeps-saved-clock'
  /** The client waits for an exec's reply however long it takes: an exec to a frozen guest hangs. */
  | 'client-exec-waits-forever'
  /** The VMM holds host memory no guest uses (a preallocated memory backend of the guest's size, attached to nothing). */
  | 'vmm-stray-memory'
  /** The runtime's watch of its VMMs' own memory looks at each only once a second, so growth between looks goes unseen. */
  | 'vmm-overhead-looks-seldom'
  /**
   * The runtime copies the serial console through a helper process (a `tee` into a second log in the
   * VM's directory) that destroy never ends: it outlives the VM, unseen by the runtime's own leftovers.
   */
  | 'destroy-orphans-helper'
  /** Before its first exec the runtime sleeps a fixed settle time as long as its whole ready deadline, instead of asking the agent. */
  | 'boot-waits-fixed-settle'
  /** Asked to restore, the runtime boots the VM cold behind the scenes and still reports it restored. */
  | 'restore-boots-cold'
  /** After one exec the guest never answered, the runtime refuses every later exec: a guest that hung once counts as dead for good. */
  | 'exec-gives-up-after-no-answer'
  /** The guest's tmpfs mounts (/tmp, /run, /dev/shm) have the kernel's default size, half the guest's RAM each. */
  | 'tmpfs-uncapped'
  /** The scratch disk's host file is allocated to its whole virtual size up front, not as the guest writes. */
  | 'scratch-preallocated'
  /**
   * The agent's unprivileged side spools (and keeps) each request's script on the root disk, unchecked:
   * once the disk is full it runs an empty script (or none) for every request after the one that filled
   * it, so the guest stops serving.
   */
  | 'agent-spool-on-rootfs'
  /** The guest's /tmp is a directory of the root disk, not a tmpfs of its own: a full disk leaves no scratch area. */
  | 'tmp-on-rootfs'
  /**
   * The disk image takes the guest's discards (the freed clusters read as zeros and are reused) but
   * does not pass them to its host file, which keeps every block it ever held allocated.
   */
  | 'discard-not-passed-to-host'
  /** The runtime keeps every console byte it reads in host memory (a scrollback of the whole console) beside the capped log. */
  | 'console-capture-in-memory'
  /** The console log's cap stops writing once the log is full: it keeps the boot's first output, not the latest. */
  | 'console-log-keeps-start'
  /** The client keeps every stretch of bad input it skips (to quote it in its protocol errors): memory grows with the garbage. */
  | 'client-keeps-bad-input'
  /** The client skips bad input without reporting it (a parser that silently resyncs): a hostile or broken guest goes unseen. */
  | 'client-hides-protocol-errors'
  /** The client waits for replies by polling on every turn of its event loop (a busy wait): a waiting request keeps a core busy. */
  | 'client-busy-waits-replies'
  /** The agent does not cut its output to the request's limit: it sends all it read (a byte past the limit), unflagged; only the host's own cap stands. */
  | 'agent-no-output-cap'
  /** The client keeps each output field whole however long, trusting the agent to have cut it to the limit. */
  | 'client-no-output-cap'
  /** On a disconnect the client forgets its waiting requests without failing them: their callers wait forever. */
  | 'client-strands-requests-on-disconnect';

/**
 * Every member of Fault, to tell a known name from an unknown one at run time (`runtime check`). A
 * record over the whole type: a member added above without a line here stops the type check.
 */
const EVERY_FAULT: Record<Fault, true> = {
  'console-log-uncapped': true,
  'client-unbounded-line-buffer': true,
  'client-no-hello-deadline': true,
  'client-delivers-stray-replies': true,
  'balloon-driver-missing': true,
  'no-free-page-reporting': true,
  'no-deflate-on-oom': true,
  'vmm-default-memory': true,
  'guest-memory-locked': true,
  'no-balloon-stats-polling': true,
  'no-balloon-floor': true,
  'balloon-drops-target-above-memory': true,
  'balloon-control-untracked': true,
  'balloon-reports-target-reached': true,
  'balloon-move-returns-early': true,
  'balloon-move-returns-target': true,
  'deflate-returns-less': true,
  'balloon-target-as-size': true,
  'balloon-stats-wrong-unit': true,
  'balloon-move-leaves-vm-paused': true,
  'fresh-overlay-on-start': true,
  'no-discard': true,
  'oversized-rootfs': true,
  'rootfs-inodes-ignored': true,
  'overlay-leak-on-destroy': true,
  'agent-unguarded-reopen': true,
  'agent-never-reopens': true,
  'agent-shell-only-kill': true,
  'agent-pipeline-status': true,
  'agent-no-respawn': true,
  'client-ignores-request-ids': true,
  'client-output-as-text': true,
  'client-ignores-truncated-flag': true,
  'client-keeps-transcript': true,
  'io-throttle-starves': true,
  'upload-ignores-exit-code': true,
  'lazy-refcounts': true,
  'host-write-errors-reported': true,
  'restore-shares-overlay': true,
  'restore-resets-balloon': true,
  'restore-loses-stats-polling': true,
  'restore-awaits-hello': true,
  'restore-skips-reseed': true,
  'restore-keeps-saved-clock': true,
  'client-exec-waits-forever': true,
  'vmm-stray-memory': true,
  'vmm-overhead-looks-seldom': true,
  'destroy-orphans-helper': true,
  'boot-waits-fixed-settle': true,
  'restore-boots-cold': true,
  'exec-gives-up-after-no-answer': true,
  'tmpfs-uncapped': true,
  'scratch-preallocated': true,
  'agent-spool-on-rootfs': true,
  'tmp-on-rootfs': true,
  'discard-not-passed-to-host': true,
  'console-capture-in-memory': true,
  'console-log-keeps-start': true,
  'client-keeps-bad-input': true,
  'client-hides-protocol-errors': true,
  'client-busy-waits-replies': true,
  'agent-no-output-cap': true,
  'client-no-output-cap': true,
  'client-strands-requests-on-disconnect': true,
};

export const FAULTS = Object.keys(EVERY_FAULT) as Fault[];
