// Refusing hostile input at the edge: what every request passes before its DTO sees it.
export * from './consumes';
export * from './json-depth';
export * from './record-id';
export * from './safe-text';
export * from './safe-text.pipe';
