#!/usr/bin/env -S npx tsx
import { main } from '../harness/cli/main.ts';

// Exit explicitly: a finished run must not wait on handles a library left open.
process.exit(await main(process.argv.slice(2)));
