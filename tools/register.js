// Runs TypeScript sources directly: SWC transpiles (with decorator metadata, which Nest's DI needs)
// and the root tsconfig's path aliases resolve @prescient/* libraries.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
