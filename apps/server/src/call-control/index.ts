// Public surface of the call-control context: the modules per role, the service the gateway
// uses, the executor the demo configures, and the settings types.
export * from './call-control.module';
export * from './call-control.service';
export * from './call-control.errors';
export { CallControlExecutor } from './executor/call-control-executor.service';
export { CallControlLink } from './link/call-control-link';
export { AgentPauseDto, CallControlConfirmationDto, OriginateCallDto, SocketCallDto, SocketHoldCallDto, SocketRecordCallDto, SocketTransferCallDto } from './dto/call-control.dto';
export type { ControlNotice } from './control-protocol';
