/** Where the guest image puts the harness's own files: the image writes them there, workloads and cases find them there. */
export const ROOTFS_PATHS = {
  init: 'sbin/gauntlet-init',
  agent: 'usr/sbin/gauntlet-agent',
  workloads: 'usr/libexec/gauntlet',
  release: 'etc/gauntlet-release',
} as const;
