export * from './decide-replicas';
