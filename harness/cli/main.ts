/** gauntlet's entry: parse, dispatch, and turn every expected failure into one line and exit code 2. */
import { ImageArchiveError } from '../image/index.ts';
import { SettingsError } from '../config/settings.ts';
import { RunRecordError } from '../reports/run-json.ts';
import { parseCommand, UsageError, wantsBisect } from './args.ts';
import { benchCommand } from './bench.ts';
import { compareCommand } from './compare.ts';
import { huntCommand } from './hunt.ts';
import { doctor } from './doctor.ts';
import { exportImage, importImage } from './image-archive.ts';
import { exportGuestKit } from './image-kit.ts';
import { buildImage } from './image-build.ts';
import { mergeCommand } from './merge.ts';
import { proveCommand } from './prove.ts';
import { reportCommand } from './report.ts';
import { RunNotMadeError, runTests, suiteCell, testCells } from './run-vitest.ts';
import { checkCommand } from './runtime-check.ts';
import { serveCommand } from './runtime-serve.ts';
import { USAGE } from './usage.ts';
import { EXIT } from './exit-codes.ts';

export async function main(argv: string[]): Promise<number> {
  try {
    const { command, suites, files, output, run, settings, testArches, hunt, benchBudgetMs } = parseCommand(argv);
    switch (command) {
      case 'help':
        console.log(USAGE);
        return EXIT.passed;
      case 'run':
        return await runTests([suiteCell(suites, settings)], run);
      case 'prove':
        return await proveCommand(suites, settings, run);
      case 'merge':
        return mergeCommand(files, settings);
      case 'report':
        return reportCommand(files[0]!, output);
      case 'compare':
        return compareCommand(files[0]!, files[1]!, output);
      case 'test':
        return await runTests(testCells(settings, testArches));
      case 'doctor':
        return await doctor(settings);
      case 'bench':
        return await benchCommand(settings, benchBudgetMs);
      case 'hunt':
        return await huntCommand(hunt!);
      case 'image-build':
        return await buildImage(settings);
      case 'image-export':
        return await exportImage(files[0]!, settings);
      case 'image-export-kit':
        return await exportGuestKit(files[0]!, settings);
      case 'image-import':
        return await importImage(files[0]!, settings);
      case 'runtime-serve':
        return await serveCommand(files[0]!);
      case 'runtime-check':
        return await checkCommand(files[0]!, settings);
    }
  } catch (error) {
    if (isEnvironmentError(error)) {
      console.error(`gauntlet: ${(error as Error).message.split('\n')[0]}`);
      return wantsBisect(argv) ? EXIT.bisectSkip : EXIT.environment;
    }
    // A crash before a verdict says nothing about the commit under test: bisect must skip it, not blame it.
    if (wantsBisect(argv)) {
      console.error(error);
      return EXIT.bisectSkip;
    }
    throw error;
  }
}

function isEnvironmentError(error: unknown): boolean {
  if ([UsageError, SettingsError, RunNotMadeError, RunRecordError, ImageArchiveError].some((type) => error instanceof type)) return true;
  // Missing tools surface as errors from child processes: still one line.
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'EACCES';
}
