/* eslint-disable @typescript-eslint/no-require-imports -- jest.mock factories must require */
// Native modules that have no JS implementation under jest.
jest.mock('@react-native-community/netinfo', () =>
  require('@react-native-community/netinfo/jest/netinfo-mock.js'),
);
jest.mock(
  'react-native-safe-area-context',
  () => require('react-native-safe-area-context/jest/mock').default,
);
