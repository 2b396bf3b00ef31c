import { Global, Module } from '@nestjs/common';
import { AmiIngestModule } from '../call-ingest';
import { CallsModule } from '../calls';
import { UsersModule } from '../users';
import { AgentsController } from './agents.controller';
import { CallControlController } from './call-control.controller';
import { CallControlService } from './call-control.service';
import { CallControlExecutor } from './executor/call-control-executor.service';
import { CallControlLink } from './link/call-control-link';

/** The link between the processes that take commands and the one that controls a PBX (every role). */
@Global()
@Module({ providers: [CallControlLink], exports: [CallControlLink] })
export class CallControlLinkModule {}

/** Call control's REST API and service (roles all and server); the gateway's commands use the service. */
@Module({
  imports: [CallsModule, UsersModule],
  controllers: [CallControlController, AgentsController],
  providers: [CallControlService],
  exports: [CallControlService],
})
export class CallControlModule {}

/** Runs the commands for the PBXs this process ingests (roles all and asterisk). */
@Module({
  imports: [AmiIngestModule],
  providers: [CallControlExecutor],
  exports: [CallControlExecutor],
})
export class CallControlExecutorModule {}
