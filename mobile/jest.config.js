/**
 * jest-expo (it maps `@/` and transforms Expo packages). ../sdk is TypeScript source outside
 * node_modules, so it is transformed like the app's own files; the packages its compiled code
 * needs (@babel/runtime helpers) resolve from the app's node_modules.
 */
module.exports = {
  preset: 'jest-expo',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  modulePaths: ['<rootDir>/node_modules'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/e2e/', '<rootDir>/dist/'],
  collectCoverageFrom: ['src/**/*.{ts,tsx}'],
};
