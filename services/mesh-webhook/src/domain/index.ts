// Public surface of the mesh-webhook domain: pure functions and types, no Nest, no I/O.
export * from './types';
export * from './mesh-policy';
export * from './json-patch';
export * from './classify-service';
export * from './review-admission';
export * from './sidecar';
