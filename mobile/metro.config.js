// Metro: the app plus the shared protocol package in ../sdk (installed as a file: symlink).
const path = require('path');
const { getDefaultConfig } = require('expo/metro-config');

const config = getDefaultConfig(__dirname);
const sdk = path.resolve(__dirname, '../sdk');

config.watchFolders = [...(config.watchFolders ?? []), sdk];
// The SDK has no runtime dependencies; anything a file under ../sdk imports (e.g. a type
// helper) resolves from the app's node_modules, and ../sdk/node_modules (its dev tools) is
// never crawled, so there is one copy of every package.
config.resolver.nodeModulesPaths = [path.resolve(__dirname, 'node_modules')];
config.resolver.blockList = [
  new RegExp(`${sdk.replace(/[/\\]/g, '[/\\\\]')}[/\\\\]node_modules[/\\\\].*`),
];

module.exports = config;
