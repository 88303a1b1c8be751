/** The balloon suite's reclaim cases, unchanged, through the runtime written from the docs (python-adapter.ts). */
import { throughPythonAdapter } from './python-adapter.ts';

await throughPythonAdapter(() => import('../../suites/balloon/balloon-reclaim.test.ts'));
