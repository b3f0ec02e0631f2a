#!/usr/bin/env node
// Runs the compiled CLI (built by `npm run build`, which `npm install`/`npm ci` run through `prepare`).
import { main } from '../dist/mock-icloud/cli.js';

process.exitCode = await main(process.argv.slice(2));
