import type { CallRecord, CallTrackerEvent } from '../call-record';
import { CallTracker, type CallTrackerOptions } from '../call-tracker';
import { AmiEventScript, snapshot, type ScriptChannel } from './ami-event-script';

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

/**
 * An inbound call answered by 1001, who holds the caller and calls 1002 from a second line (a
 * call of its own, reported), then completes an attended transfer: the consultation call joins
 * the caller's (`merged`), 1002 talks to the caller until the caller hangs up.
 */
export function attendedTransferWithConsultationCall(): { s: AmiEventScript; caller: ScriptChannel; agentB: ScriptChannel } {
  const s = new AmiEventScript();
  const caller = inboundCaller(s);
  const agentA = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
  s.newchannel(caller).newchannel(agentA).dialBegin(caller, agentA, '1001').wait(1000).connect(caller, agentA, 'b1').wait(4000);
  // The agent holds the caller and calls 1002 from a second line: a call of its own.
  s.on('Hold', agentA).on('MusicOnHoldStart', caller);
  const agentB = s.channel('SIP/1001-00000003', { callerNum: '1001', exten: '1002' });
  const target = s.channel('SIP/1002-00000004', { linkedid: agentB.uniqueid });
  s.newchannel(agentB).newchannel(target).dialBegin(agentB, target, '1002').wait(1000).connect(agentB, target, 'b2').wait(5000);
  s.event('AttendedTransfer', {
    Result: 'Success',
    ...snapshot(agentA, 'OrigTransferer'),
    OrigBridgeUniqueid: 'b1',
    ...snapshot(agentB, 'SecondTransferer'),
    SecondBridgeUniqueid: 'b2',
    DestType: 'Bridge',
    DestBridgeUniqueid: 'b1',
    ...snapshot(caller, 'Transferee'),
    ...snapshot(target, 'TransferTarget'),
  });
  target.linkedid = caller.uniqueid;
  s.bridgeLeave(agentA, 'b1').hangup(agentA).bridgeLeave(agentB, 'b2').hangup(agentB);
  s.bridgeLeave(target, 'b2').bridgeEnter(target, 'b1').on('MusicOnHoldStop', caller);
  s.wait(8000).hangupRequest(caller).bridgeLeave(caller, 'b1').hangup(caller).hangup(target);
  return { s, caller, agentB };
}
