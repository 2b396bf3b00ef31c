import type { CallLeg, CallRecord } from './call-record';
import { ChannelClassifier, MAX_LOCAL_DEPTH } from './channel-name';

/** "The operator's channel": the live leg of an extension's phone in a call, an answered one before a ringing one. */
export function legOfExtension(call: CallRecord, extension: string): CallLeg | null {
  let found: CallLeg | null = null;
  for (const leg of call.legs ?? []) {
    if (leg.extension !== extension) continue;
    if (leg.state !== 'ringing') return leg;
    found ??= leg;
  }
  return found;
}

/**
 * "The remote party bridged with the operator's channel": the phones and trunks a leg is
 * connected to, in its own bridge or, behind a Local half there, in the bridge of the pair's
 * other half (through nested pairs, as FreePBX ring groups and queues connect them).
 */
export function legsConnectedTo(call: CallRecord, uniqueid: string): CallLeg[] {
  const legs = call.legs ?? [];
  const start = legs.find((leg) => leg.uniqueid === uniqueid);
  const out: CallLeg[] = [];
  if (start?.bridgeId == null) return out;
  const visit = (bridgeId: string, via: CallLeg, depth: number): void => {
    for (const leg of legs) {
      if (leg.bridgeId !== bridgeId || leg === via || leg === start) continue;
      if (leg.role !== 'local-half') {
        if (leg.role !== 'other' && !out.includes(leg)) out.push(leg);
        continue;
      }
      const partnerName = ChannelClassifier.localPartnerName(leg.channel);
      const partner = legs.find((l) => l.channel === partnerName);
      if (partner?.bridgeId != null && depth < MAX_LOCAL_DEPTH) visit(partner.bridgeId, partner, depth + 1);
    }
  };
  visit(start.bridgeId, start, 0);
  return out;
}
