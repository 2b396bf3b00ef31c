// Public surface of @app/contracts: types and constants shared by the server, libs/ami and the
// browser. Pure TypeScript: no Node, Nest or DOM dependency, so every side can import it.
export * from './call-values';
export * from './call-timeline';
export * from './call-view';
export * from './call-events';
export * from './user-values';
export * from './call-control';
export * from './realtime-events';
export * from './call-stats';
