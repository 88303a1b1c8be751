/** The disk suite's host-space cases, unchanged, through the runtime written from the docs (python-adapter.ts). */
import { throughPythonAdapter } from './python-adapter.ts';

await throughPythonAdapter(() => import('../../suites/disk/host-space.test.ts'));
