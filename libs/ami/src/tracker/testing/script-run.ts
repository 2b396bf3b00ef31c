import type { CallRecord, CallTrackerEvent } from '../call-record';
import { CallTracker, type CallTrackerOptions } from '../call-tracker';
import type { AmiEventScript, ScriptChannel } from './ami-event-script';

/** Feeds a script's messages into a tracker (a new one unless given); returns every event it emitted. */
export function runScript(script: AmiEventScript, options?: CallTrackerOptions, tracker = new CallTracker(options)): { tracker: CallTracker; events: CallTrackerEvent[] } {
  const events: CallTrackerEvent[] = [];
  for (const msg of script.messages) events.push(...tracker.handle(msg));
  return { tracker, events };
}

export const endedCalls = (events: CallTrackerEvent[]): CallRecord[] => events.filter((e) => e.type === 'ended').map((e) => e.call);
export const eventTypes = (events: CallTrackerEvent[]): string[] => events.map((e) => e.type);

/** +74951234567 on the provider trunk dialling the DID. */
export function inboundCaller(s: AmiEventScript): ScriptChannel {
  return s.channel('SIP/provider-00000001', { callerNum: '+74951234567', exten: '74959876543' });
}
