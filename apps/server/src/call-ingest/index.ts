// Public surface of the call-ingest context (the write side of the calls tables): AMI ingest,
// the pipeline from tracker events to rows and published steps, and the test-call simulator.
export * from './call-ingest.module';
export * from './call-ingest.service';
export * from './ami/ami-ingest.module';
export * from './ami/ami-ingest.service';
export type { PbxIngest, PbxIngestObserver, PbxIngestOptions, PbxIngestState, PbxMessageListener } from './ami/pbx-ingest';
export * from './directory/call-directory.service';
export * from './partitions/calls-partition-job.service';
export * from './simulator/call-simulator.module';
export { SIMULATOR_PBX_ID } from './simulator/call-simulator.service';
