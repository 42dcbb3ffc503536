// One jest setup for every workspace: TypeScript through SWC (about 3x faster
// than ts-jest on the CDK tests here), tests beside the code they specify.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts', '<rootDir>/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.next/', '/cdk.out'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          target: 'es2022',
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Workspace packages are consumed as TypeScript source through their `exports`.
  transformIgnorePatterns: ['/node_modules/(?!@sep/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
