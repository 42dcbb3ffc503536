#!/usr/bin/env node
// The `sep` bin: runs the TypeScript source through tsx (the workspace ships no build step).
require('tsx/cjs');
const { run } = require('../src/main.ts');

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
