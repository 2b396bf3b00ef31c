// One jest run for the whole monorepo, in two projects: `unit` (specs next to the code, no
// services) and `e2e` (test/, against a real PostgreSQL prepared by the global setup).
// swc compiles TypeScript and the ESM-only @nestjs packages (Nest 12 ships ESM; jest's
// CommonJS runtime needs them transformed).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  moduleNameMapper: {
    '^@app/ami$': '<rootDir>/libs/ami/src',
    '^@app/ami/(.*)$': '<rootDir>/libs/ami/src/$1',
    '^@app/contracts$': '<rootDir>/libs/contracts/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
};

module.exports = {
  // Per-project and global: jest reads it from the global config in some code paths.
  testTimeout: 30000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
