import { Module } from '@nestjs/common';
import { AuthModule } from '../auth';
import { CallControlModule } from '../call-control';
import { CallsModule } from '../calls';
import { CompaniesModule } from '../companies';
import { UsersModule } from '../users';
import { CallCardsService } from './call-cards.service';
import { CallControlCommands } from './call-control-commands.service';
import { CallEventRelay } from './call-event-relay.service';
import { PhoneStateRelay } from './phone-state-relay.service';
import { PresenceService } from './presence.service';
import { RealtimeHub } from './realtime-hub';
import { RealtimeMetrics } from './realtime-metrics';
import { RealtimeSessionsService } from './realtime-sessions.service';
import { RealtimeSnapshotService } from './realtime-snapshot.service';
import { RealtimeGateway } from './realtime.gateway';
import { WebsocketPort } from './websocket-port';

/**
 * The Socket.IO gateway (roles all and server): incoming-call popups, live call state, presence
 * and phone states for the browser, from the call-event and phone-state buses. See
 * docs/realtime.md for the events.
 */
@Module({
  imports: [AuthModule, UsersModule, CompaniesModule, CallsModule, CallControlModule],
  providers: [
    RealtimeGateway,
    RealtimeHub,
    RealtimeSessionsService,
    RealtimeSnapshotService,
    PresenceService,
    CallEventRelay,
    PhoneStateRelay,
    CallCardsService,
    CallControlCommands,
    WebsocketPort,
    RealtimeMetrics,
  ],
})
export class RealtimeModule {}
