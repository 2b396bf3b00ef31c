import { CALL_EVENT_NAMES, type CallEventMessage, type CallView } from '@app/contracts';

/**
 * The `call.ended` message of a call the store ended or completed by itself (its end was not
 * seen live: `lost`), carrying the call as stored.
 */
export function lostEndMessage(call: CallView, at: string, dryRun: boolean): CallEventMessage {
  return {
    name: CALL_EVENT_NAMES.ended,
    payload: {
      call,
      at,
      dryRun,
      status: call.status,
      hangupBy: call.hangupBy ?? 'system',
      hangupCause: call.hangupCause,
      ringSeconds: call.ringSeconds,
      talkSeconds: call.talkSeconds,
      holdSeconds: call.holdSeconds,
      agents: [],
      lost: true,
    },
  };
}
