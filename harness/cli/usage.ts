export const USAGE = `gauntlet: boots real microVMs and checks a sandbox runtime case by case

Usage:
  gauntlet run [suite...] [options]   run the suites (all when none named) and write reports
  gauntlet test [options]             unit tests, every suite and the fault tests (what CI runs)
  gauntlet prove [suite...] [--shard i/n]
                                      the fault tests (all suites' when none named) on this runtime, arch and
                                      accelerator: exit 0 only when every fault turned its named claim red;
                                      reports in --reports (default reports/prove)
  gauntlet doctor [options]           host facts, accelerator decision and why, tools, image status
  gauntlet bench [options] [--budget 90s]
                                      the harness's own speed: raw boot, cold and restored create, exec
                                      round trips, its CPU share; a run record in --reports (default reports/bench);
                                      --budget: only the rounds that fit in it (at least one)
  gauntlet image build [options]      build (or confirm) the guest image
  gauntlet image export FILE [--arch A]
                                      write the cached image (with its rootfs bases) to one tar.gz
  gauntlet image export --for other-vmm DIR [--arch A]
                                      the guest as a kit for another VMM: kernel, initramfs, raw ext4
                                      root disk, kit.json (docs/guest-contract.md)
  gauntlet image import FILE [--arch A]
                                      check every sha256 of an exported image and put it in the cache
  gauntlet merge RUN.json... [--reports DIR]
                                      merge the records of --shard runs; writes run.json, junit.xml, index.html
  gauntlet report RUN.json [-o FILE]  write the HTML report of a record (default: index.html beside it)
  gauntlet compare A.json B.json [--html FILE]
                                      what B changed: environment, newly failing/flaky cases, and every
                                      metric (all samples of a run pooled) that moved beyond the noise
  gauntlet hunt A B [suite...] [--budget 15m] [--cores N] [--bisect]
                                      a regression hunt: the bench and the suites for A and B side by side,
                                      round after round until every boot/restore/exec/balloon metric is judged
                                      (or the budget is spent), then compare's verdict and page in --reports
                                      (default reports/hunt). A, B: a VMM binary, a --qemu-package or
                                      --kernel-package NAME[=VERSION], or exec:COMMAND
  gauntlet runtime serve qemu        the QEMU runtime as an adapter on stdin/stdout (--runtime exec:"npx gauntlet runtime serve qemu")
  gauntlet runtime check exec:COMMAND
                                      does the adapter do what it claims: a step per claimed capability
  gauntlet --help

Options:
  --arch x86_64|aarch64      guest architecture (default: the host's; test: both unless named)
  --accel auto|kvm|hvf|tcg   accelerator; auto uses KVM/HVF only if a probe guest boots (default auto)
  --qemu PATH                QEMU system emulator to test (default: qemu-system-<arch> on PATH)
  --qemu-package NAME[=VERSION]   e.g. --qemu-package qemu-system-x86
                             fetch this packaged VMM build through apt into the cache, unpacked with its
                             own modules and data, and test it (the host's packages stay)
  --apt-source LINE          a sources line apt also reads ("deb URI SUITE COMPONENT"), for --qemu-package
                             and --kernel-package; repeatable
  --runtime exec:COMMAND     run the cases on an out-of-process runtime adapter (docs/runtime-protocol.md)
  --kernel PATH              guest kernel to boot instead of the image's
  --kernel-package NAME[=VERSION]
                             build (and cache) the image around this Debian kernel package instead
  --seed N                   run: seed of the random choices (the balloon soak's targets); default fresh, printed
  --cold                     boot every VM; none is restored from a snapshot (snapshot cases skip)
  --machine microvm|q35|virt machine profile (default microvm on x86_64, virt on aarch64)
  --reports DIR              where reports go (default reports/)
  --repeat N                 run: run the suites N times; a case that passes and fails is flaky
  --shard i/n                run: only this host's share of the test files; merge the records after
  --load N                   run: keep N host cores busy for the whole run, as a noisy CI runner would
  --cores N                  run: plan VMs for N host cores (default all), e.g. two runs side by side
  --bisect                   run: exit 125 instead of 2 when the run could not be made (for git bisect run)

Exit codes: 0 all passed (compare: B no worse), 1 a case failed or was flaky (compare: B regressed),
2 usage or environment error, or the run could not be made (125 with --bisect).`;
