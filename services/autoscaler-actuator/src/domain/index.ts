export * from './decide-replicas';
export * from './observations';
export * from './from-contract';
