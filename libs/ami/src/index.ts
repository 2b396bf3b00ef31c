// Public surface of @app/ami. Additive: each part's owner appends its own lines.

// Protocol: messages, parsing, action encoding, errors.
export * from './protocol/ami-message';
export * from './protocol/ami-parser';
export * from './protocol/ami-action';
export * from './protocol/ami-action-id';
export * from './protocol/ami-errors';

// Connection: one login per PBX, configuration, several PBXs.
export * from './connection/ami-connection';
export * from './connection/ami-connection-registry';
export * from './connection/ami-server-config';
export * from './connection/typed-event-emitter';

// Actions: typed builders, the gateway, results.
export * from './actions/ami-actions';
export * from './actions/ami-action-gateway';
export * from './actions/ami-action-result';

// Nest wiring.
export * from './ami.module';

// Call tracking and capture replay (tracker owner).
export * from './tracker/call-tracker';
export * from './tracker/call-record';
export * from './tracker/call-legs';
export * from './replay/capture';
export * from './protocol/ami-events';
export * from './tracker/channel-name';
export * from './replay/capture-replay';
export * from './replay/capture-replay-server';
export * from './replay/replay-line';
export * from './replay/cdr-csv';
export * from './util/seeded-random';

// Phone device states (ExtensionStatus, DeviceStateChange), for presence.
export * from './device-state/device-state-reader';
