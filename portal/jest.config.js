const preset = require('../jest.preset.js');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  rootDir: __dirname,
  // Route handlers and the local platform spawn child processes and local stores: keep runs serial on 2 cores.
  maxWorkers: 1,
  testTimeout: 60_000,
  // jose and openid-client ship ESM only: let SWC turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@sep/|jose/|openid-client/|oauth4webapi/))'],
  // The standalone build copies package.json files: jest must not see them as a second @sep/portal.
  modulePathIgnorePatterns: ['<rootDir>/.next/'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
};
