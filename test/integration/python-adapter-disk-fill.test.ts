/** The disk suite's guest-fill cases, unchanged, through the runtime written from the docs (python-adapter.ts). */
import { throughPythonAdapter } from './python-adapter.ts';

await throughPythonAdapter(() => import('../../suites/disk/guest-fill.test.ts'));
