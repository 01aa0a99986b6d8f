/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Test files sit in the folder of the module they test; the kind is in the suffix: `*.test.ts` (no server),
  // `*.temporal.test.ts` (time-skipping server), `*.e2e.test.ts` (dev server + simulator), `*.chaos.test.ts` (the long
  // storms, `npm run test:chaos` only).
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.chaos\\.test\\.ts$'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
