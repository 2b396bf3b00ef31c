// Public surface of @app/ami: everything outside libs/ami imports from here (its test kit from
// @app/ami/testing). No database, no HTTP.

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

// Typed views of the events the tracker reads.
export * from './protocol/ami-events';

// Call tracking: AMI events in, call records and their live legs out.
export * from './tracker/call-tracker';
export * from './tracker/call-record';
export * from './tracker/call-legs';
export * from './tracker/channel-name';

// Capture replay: recorded AMI streams as input (tests, the replay CLI, pbx-sim --replay).
export * from './replay/capture';
export * from './replay/capture-replay';
export * from './replay/capture-replay-server';
export * from './replay/replay-line';
export * from './replay/cdr-csv';

// A seeded PRNG, so generated traffic and random chunkings can be reproduced.
export * from './util/seeded-random';

// Phone device states (ExtensionStatus, DeviceStateChange), for presence.
export * from './device-state/device-state-reader';
