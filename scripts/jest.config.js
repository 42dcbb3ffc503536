const preset = require('../jest.preset.js');

/** @type {import('jest').Config} The repository-level checks (run by `npm run depcheck`). */
module.exports = { ...preset, rootDir: __dirname, testTimeout: 60_000 };
