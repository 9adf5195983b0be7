#!/usr/bin/env node
// Entry point of the `swarmlab` command: runs the compiled CLI (built by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';

await main(process.argv);
