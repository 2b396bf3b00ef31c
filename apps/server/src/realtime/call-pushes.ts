import type { CallEventMessage, CallIncomingEvent, CallUpdateStep, RealtimeCallEvent } from '@app/contracts';
import { SUPERVISORS_ROOM, userRoom, type Push, type PushTarget } from './realtime-types';

/** What a push adds to a stored step that the step does not carry. */
export type IncomingCards = Pick<CallIncomingEvent, 'company' | 'assignedUser'>;

/**
 * The pushes one stored call step makes. `viewers` are the users besides supervisors who may
 * see the call (CallAccess.viewerIds); every push goes to them and to the supervisors' room,
 * except that a ringing phone's own user and the supervisors get the popup (`call:incoming`)
 * while the other viewers get `call:updated`.
 */
export function callPushes(message: CallEventMessage, viewers: string[], cards: IncomingCards): Push[] {
  const { payload } = message;
  const base: RealtimeCallEvent = { call: payload.call, at: payload.at, test: payload.dryRun };
  const audience: PushTarget = { to: [SUPERVISORS_ROOM, ...viewers.map(userRoom)] };
  const updated = (step: CallUpdateStep, target: PushTarget = audience): Push => ({ target, event: 'call:updated', payload: { ...base, step } });
  switch (message.name) {
    case 'call.ringing': {
      const { extension, channel, userId } = message.payload;
      const ringing = { extension, channel, userId };
      const rung = [SUPERVISORS_ROOM, ...(userId ? [userRoom(userId)] : [])];
      return [
        { target: { to: rung }, event: 'call:incoming', payload: { ...base, ringing, ...cards } },
        updated({ type: 'ringing', ...ringing }, { to: audience.to, except: rung }),
      ];
    }
    case 'call.answered': {
      const { extension, channel, userId } = message.payload;
      return [{ target: audience, event: 'call:answered', payload: { ...base, answeredBy: { extension, channel, userId } } }];
    }
    case 'call.held':
    case 'call.unheld': {
      const { by, seconds } = message.payload;
      return [updated({ type: message.name === 'call.held' ? 'held' : 'unheld', by, ...(seconds !== undefined && { seconds }) })];
    }
    case 'call.transferred': {
      const { kind, from, to, fromUserId, toUserId } = message.payload;
      return [updated({ type: 'transferred', kind, from, to, fromUserId, toUserId })];
    }
    case 'recording.started':
    case 'recording.stopped': {
      const { file, path, source } = message.payload;
      return [updated({ type: message.name === 'recording.started' ? 'recording_started' : 'recording_stopped', file, path, source })];
    }
    case 'call.ended': {
      const { status, hangupBy, hangupCause, ringSeconds, talkSeconds, holdSeconds, agents, lost } = message.payload;
      const end = { status, hangupBy, hangupCause, ringSeconds, talkSeconds, holdSeconds, agents, ...(lost && { lost }) };
      return [{ target: audience, event: 'call:ended', payload: { ...base, end } }];
    }
  }
}
