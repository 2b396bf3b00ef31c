// Public surface of the calls context (the read side of the calls tables): the module, the
// stored-call view mapper, the query pieces statistics reuse, and the entities.
export * from './calls.module';
export * from './calls-errors';
export * from './call-view-mapper';
export { CallsHistoryService, type CallHistoryPageResult, type CallHistoryRequest } from './history/calls-history.service';
export { CALL_FROM, CALL_SELECT, filterConditions, type CallHistoryFilter } from './history/call-history-query';
export { CallDetailDto, CallDto } from './dto/call.dto';
export * from './entities/call.entity';
export * from './entities/call-key.entity';
export * from './entities/call-event.entity';
