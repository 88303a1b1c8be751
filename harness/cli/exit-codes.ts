/** The CLI's exit codes; 125 is `git bisect run`'s "cannot test this commit, skip it". */
export const EXIT = { passed: 0, failed: 1, environment: 2, bisectSkip: 125 } as const;
