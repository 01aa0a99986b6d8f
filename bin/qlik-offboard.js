#!/usr/bin/env node
// The qlik-offboard command (package.json "bin"): runs the compiled CLI, which `npm ci` (prepare) builds.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'src', 'client', 'cli', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(`qlik-offboard: ${main} is missing: build the project first (npm ci, or npm run build)\n`);
  process.exit(1);
}
require(main);
