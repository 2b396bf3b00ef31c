// Public surface of apps/pbx-sim for the server app (in-process demo PBX) and tests.
export { startPbxSim } from './pbx-sim';
export type { PbxSim, PbxSimOptions, PbxSimStats } from './pbx-sim';
export { DEMO_EXTENSIONS, DEMO_EXTERNAL_NUMBERS, DEMO_DIDS, DEMO_QUEUES, DEMO_AMI_USER, DIALPLAN_NAMES, isDialplanName, demoPbxConfig, demoFreepbxProfile } from './demo-defaults';
export type { DialplanName } from './demo-defaults';
export type { FreePbxProfile } from './engine/freepbx-dialplan';
export { STEADY_PROFILE, resolveProfile } from './traffic/traffic-profile';
export type { TrafficProfile } from './traffic/traffic-profile';
export { CAPTURE_LAB_CONFIG } from './engine/pbx-config';
export type { PbxConfig, ExtensionConfig, QueueConfig, DidTarget } from './engine/pbx-config';
export { PlaceCallError } from './engine/call-placer';
export type { PlaceCallRequest, PlacedCall, CallKind, CallOutcome } from './engine/call-placer';
export { VirtualClock, RealClock } from './clock/sim-clock';
export type { SimClock } from './clock/sim-clock';
export { DIALECTS, DIALECT_NAMES, isDialectName } from './engine/dialect';
export type { Dialect, DialectName } from './engine/dialect';
