/** Where things land in a reports directory (README "What lands in reports/"). */
export const REPORT_FILES = { record: 'run.json', junit: 'junit.xml', html: 'index.html' } as const;

/** Failed cases' VM artifacts, copied here by the vm fixture; run.json's artifact paths are relative to the reports dir. */
export const ARTIFACTS_DIR = 'artifacts';

/** Under ARTIFACTS_DIR: the logs of the VMs a stopped run (Ctrl-C, SIGTERM) still had running. */
export const INTERRUPTED_LOGS_DIR = 'interrupted';
