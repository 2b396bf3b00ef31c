import { legOfExtension, legsConnectedTo, type CallHold, type CallLeg, type CallRecord } from '@app/ami';
import type { ControlActor } from '../control-protocol';

/** Who is who on a live call, from the side of the one giving a command. */
export interface CallParties {
  /** The operator's channel: the actor's own phone on the call, else (a supervisor) the call's current agent. */
  agent: CallLeg;
  /** The phones and trunks the agent talks to, in its bridge or behind Local channels. */
  remote: CallLeg[];
  /** Agent and remote share one bridge: no Local channel between them (a Redirect keeps the call together). */
  direct: boolean;
}

export type PartiesOrRefusal = CallParties | { refusal: 'NOT_A_PARTY' | 'INVALID_STATE'; message: string };

/** Supervisors and admins act on any call; an operator only from a phone of theirs that is on it. */
export function seesEverything(actor: ControlActor): boolean {
  return actor.role === 'supervisor' || actor.role === 'admin';
}

/**
 * The legs a command addresses. An operator's own phone must be on the call; a supervisor acts
 * from their own phone when it is on the call, else for the agent who talks on it now (the last
 * extension that talked, else any answered phone of ours, else an extension that placed it).
 */
export function partiesOf(call: CallRecord, actor: ControlActor): PartiesOrRefusal {
  const agent = actorLeg(call, actor) ?? (seesEverything(actor) ? currentAgentLeg(call) : null);
  if (!agent) {
    return seesEverything(actor)
      ? { refusal: 'INVALID_STATE', message: 'No phone of ours is on this call' }
      : { refusal: 'NOT_A_PARTY', message: 'Your phone is not on this call' };
  }
  const remote = legsConnectedTo(call, agent.uniqueid);
  return { agent, remote, direct: remote.length > 0 && remote.every((leg) => leg.bridgeId === agent.bridgeId) };
}

function actorLeg(call: CallRecord, actor: ControlActor): CallLeg | null {
  let ringing: CallLeg | null = null;
  for (const extension of actor.extensions) {
    const leg = legOfExtension(call, extension);
    if (leg && leg.state !== 'ringing') return leg;
    ringing ??= leg;
  }
  return ringing;
}

function currentAgentLeg(call: CallRecord): CallLeg | null {
  for (const extension of [...call.agents].reverse()) {
    const leg = legOfExtension(call, extension);
    if (leg && leg.state !== 'ringing') return leg;
  }
  const legs = call.legs ?? [];
  return legs.find((leg) => leg.extension !== null && leg.state !== 'ringing') ?? legs.find((leg) => leg.extension !== null) ?? null;
}

/** The hold in progress, if any (the CRM's or the phone's). */
export function openHold(call: CallRecord): CallHold | null {
  return call.holds.find((hold) => hold.endedAt === null) ?? null;
}

/** The external party's number: the caller of an inbound call, the number dialled out. */
export function externalNumber(call: CallRecord): string | null {
  if (call.direction === 'inbound') return call.caller;
  if (call.direction === 'outbound') return call.callee;
  return null;
}

/** Digits only, for comparing numbers as people write them (`+7 495 …`, `8495…` stay apart: the dialplan tells them apart too). */
export function digitsOf(number: string): string {
  return number.replace(/[^0-9+*#]/g, '');
}
