#!/usr/bin/env -S node --import tsx
// tsx as a loader, not as a parent process: on a signal to the whole process group (Ctrl-C, a CI
// step's `timeout`) the tsx launcher sends the signal again and kills this process outright when it
// answers slowly, before a stopped run has written its reports.
import { main } from '../harness/cli/main.ts';

// Exit explicitly: a finished run must not wait on handles a library left open.
process.exit(await main(process.argv.slice(2)));
