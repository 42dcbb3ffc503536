const preset = require('../jest.preset.js');

/** @type {import('jest').Config} */
module.exports = { ...preset, rootDir: __dirname };
