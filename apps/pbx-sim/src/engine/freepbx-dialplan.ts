import type { QueueConfig } from './pbx-config';

/**
 * A FreePBX-style PBX on top of the lab: inbound routes with a caller-name lookup and
 * FreePBX's recording subroutine, ring groups, follow-me and queues whose members are
 * Local channels. `freepbxDialplanConf` writes the extensions.conf FreePBX would generate
 * for it (the shapes of core's ext-did / sub-record-check / from-ringgroup, ringgroups'
 * ext-group, findmefollow's FMPR-/FMGL- and queues' ext-queues / from-queue), as the lab
 * behind `test/fixtures/ami-fpbx` ran it.
 */
export type RecordingPolicy = 'force' | 'dontcare' | 'never';

export type FreePbxDestination = { ringGroup: string } | { followMe: string } | { queue: string };

export interface FreePbxRingGroup {
  number: string;
  /** ringall: every member at once; hunt: one after another; memoryhunt: the first, then the first two, ... */
  strategy: 'ringall' | 'hunt' | 'memoryhunt';
  members: string[];
  /** Seconds each Dial rings: one value for ringall, one per stage for hunt and memoryhunt. */
  ringSec: number[];
  recording: RecordingPolicy;
}

export interface FreePbxFollowMe {
  extension: string;
  /** Seconds the extension's own phone rings first (FMPR-). */
  preringSec: number;
  /** The follow-me list, rung through the ring-group member context (FMGL-). */
  list: string[];
  listSec: number;
}

export interface FreePbxQueue {
  number: string;
  strategy: 'ringall' | 'rrmemory';
  /** Extensions; each a member `Local/<ext>@from-queue/n` whose state comes from the phone. */
  members: string[];
  /** queues.conf `timeout` and `retry` (s). */
  timeoutSec: number;
  retrySec: number;
}

/** An inbound route on the trunk's context: DID -> destination, with the route's recording policy. */
export interface FreePbxRoute {
  did: string;
  destination: FreePbxDestination;
  recording: RecordingPolicy;
}

export interface FreePbxProfile {
  routes: FreePbxRoute[];
  ringGroups: FreePbxRingGroup[];
  followMe: FreePbxFollowMe[];
  queues: FreePbxQueue[];
  /** The CID lookup's directory: caller number -> name. */
  callerNames: Record<string, string>;
}

const SUB_INBOUND_ROUTE = `; what FreePBX writes into every inbound route before its destination; ARG1 = the route's recording policy
[sub-inbound-route]
exten => s,1,Set(__DIRECTION=\${IF($["\${DIRECTION}" = ""]?INBOUND:\${DIRECTION})})
 same => n,ExecIf($["\${CALLERID(name)}" = ""]?Set(CALLERID(name)=\${CALLERID(num)}))
 same => n(cidlookup),Gosub(cidlookup,cidlookup_1,1())
 same => n,Set(__MOHCLASS=)
 same => n,Set(__REVERSAL_REJECT=FALSE)
 same => n,Gosub(sub-record-check,s,1(in,\${FROM_DID},\${ARG1}))
 same => n,Return()

; CID lookup source 1 (FreePBX cidlookup module, "internal" style): a name for a known number
[cidlookup]
exten => cidlookup_1,1,Set(CIDSFSCHEME=lab-directory)
 same => n,GotoIf($[!\${DIALPLAN_EXISTS(cidlookup-directory,\${CALLERID(num)},1)}]?done)
 same => n,Gosub(cidlookup-directory,\${CALLERID(num)},1())
 same => n,Set(CALLERID(name)=\${CIDLOOKUP_NAME})
 same => n(done),Return()
`;

const SUB_RECORD_CHECK = `; --- recording: FreePBX's sub-record-check, reduced to the generic check (policies force / dontcare / never)
; ARG1 = call type (in, rg, q, exten), ARG2 = destination, ARG3 = policy
; file: <type>-<dest>-<FROMEXTEN>-<YYYYMMDD-HHMMSS>-<UNIQUEID>.wav under monitor/YYYY/MM/DD/
[sub-record-check]
exten => s,1,GotoIf($[\${LEN(\${FROMEXTEN})}]?initialized)
 same => n,Set(__REC_STATUS=INITIALIZED)
 same => n,Set(NOW=\${EPOCH})
 same => n,Set(__DAY=\${STRFTIME(\${NOW},,%d)})
 same => n,Set(__MONTH=\${STRFTIME(\${NOW},,%m)})
 same => n,Set(__YEAR=\${STRFTIME(\${NOW},,%Y)})
 same => n,Set(__TIMESTR=\${YEAR}\${MONTH}\${DAY}-\${STRFTIME(\${NOW},,%H%M%S)})
 same => n,Set(__FROMEXTEN=\${IF($[\${LEN(\${AMPUSER})}]?\${AMPUSER}:\${IF($[\${LEN(\${CALLERID(num)})}]?\${CALLERID(num)}:unknown)})})
 same => n,Set(__MON_FMT=wav)
 same => n(initialized),Noop(Recordings initialized)
 same => n,ExecIf($[!\${LEN(\${ARG3})}]?Set(ARG3=dontcare))
 same => n,Set(REC_POLICY_MODE_SAVE=\${REC_POLICY_MODE})
 same => n,ExecIf($["\${BLINDTRANSFER}\${ATTENDEDTRANSFER}" != ""]?Set(REC_STATUS=NO))
 same => n,Noop(Generic \${ARG1} Recording Check - \${FROMEXTEN} \${ARG2})
 same => n,Gosub(recordcheck,1(\${ARG3},\${ARG1},\${ARG2}))
 same => n,Return()

; ARG1 = policy, ARG2 = type, ARG3 = destination
exten => recordcheck,1,Noop(Starting recording check against \${ARG1})
 same => n,Goto(\${ARG1})
 same => n(dontcare),Return()
 same => n(force),Set(__REC_POLICY_MODE=FORCE)
 same => n,GotoIf($["\${REC_STATUS}" != "RECORDING"]?startrec)
 same => n,Return()
 same => n(never),Set(__REC_POLICY_MODE=NEVER)
 same => n,Return()
 same => n(startrec),Noop(Starting recording: \${ARG2}, \${ARG3})
 same => n,Set(__CALLFILENAME=\${ARG2}-\${ARG3}-\${FROMEXTEN}-\${TIMESTR}-\${UNIQUEID})
 same => n,MixMonitor(\${YEAR}/\${MONTH}/\${DAY}/\${CALLFILENAME}.\${MON_FMT},ai(LOCAL_MIXMON_ID))
 same => n,Set(__MIXMON_ID=\${LOCAL_MIXMON_ID})
 same => n,Set(__RECORD_ID=\${CHANNEL(name)})
 same => n,Set(__REC_STATUS=RECORDING)
 same => n,Set(CDR(recordingfile)=\${CALLFILENAME}.\${MON_FMT})
 same => n,Return()
`;

const FROM_RINGGROUP = (tech: string): string => `; the ;2 half of a ring-group member: dial the phone (FreePBX: from-ringgroup -> ext-local -> macro-dial-one)
[from-ringgroup]
exten => _X.,1,Noop(Ring group member \${EXTEN} for \${CALLERID(all)})
 same => n,Set(RingGroupMethod=none)
 same => n,Gosub(sub-record-check,s,1(exten,\${EXTEN},dontcare))
 same => n,Dial(${tech}/\${EXTEN},,Tt)
 same => n,Hangup()
`;

const FROM_QUEUE = (tech: string): string => `; the ;2 half of a queue member (FreePBX: from-queue -> from-queue-exten-only -> macro-dial-one)
[from-queue]
exten => _X.,1,Set(QAGENT=\${EXTEN})
 same => n,Set(__FROMQ=true)
 same => n,Gosub(sub-record-check,s,1(exten,\${QAGENT},dontcare))
 same => n,Dial(${tech}/\${QAGENT},,Tt)
 same => n,Hangup()
`;

function destinationGoto(d: FreePbxDestination): string {
  if ('ringGroup' in d) return `Goto(ext-group,${d.ringGroup},1)`;
  if ('followMe' in d) return `Goto(ext-findmefollow,FM${d.followMe},1)`;
  return `Goto(ext-queues,${d.queue},1)`;
}

const member = (ext: string): string => `Local/${ext}@from-ringgroup/n`;

function ringGroup(g: FreePbxRingGroup): string[] {
  const who = `${g.members[0]}-${g.members[g.members.length - 1]}`;
  const head = [
    `exten => ${g.number},1,Noop(Ring group ${g.number} ${g.strategy}: ${who})`,
    ' same => n,Set(__NODEST=${EXTEN})',
    ` same => n,Gosub(sub-record-check,s,1(rg,${g.number},${g.recording}))`,
    ` same => n,Set(RingGroupMethod=${g.strategy})`,
  ];
  const tail = [' same => n,Set(RingGroupMethod=)', ` same => n,Noop(Ring group ${g.number} DIALSTATUS \${DIALSTATUS})`, ' same => n,Hangup()'];
  if (g.strategy === 'ringall') {
    return [...head, ` same => n(DIALGRP),Dial(${g.members.map(member).join('&')},${g.ringSec[0]},Ttr)`, ...tail];
  }
  // hunt: one Dial() per member (FreePBX macro-dial's hunt loop); memoryhunt: each stage adds the next member.
  const stages = g.members.map((_, i) => (g.strategy === 'hunt' ? [g.members[i]] : g.members.slice(0, i + 1)));
  const body: string[] = [];
  if (g.strategy === 'hunt') g.members.forEach((m, i) => body.push(` same => n,Set(HuntMember${i}=${member(m)})`));
  stages.forEach((stage, i) => {
    if (i > 0) body.push(' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?done)');
    const target = g.strategy === 'hunt' ? `\${HuntMember${i}}` : stage.map(member).join('&');
    body.push(` same => n(huntdial${i}),Dial(${target},${g.ringSec[i] ?? g.ringSec[g.ringSec.length - 1]},Ttr)`);
  });
  return [...head, ...body, ` same => n(done),Set(RingGroupMethod=)`, ...tail.slice(1)];
}

function followMe(f: FreePbxFollowMe, tech: string): string[] {
  const x = f.extension;
  return [
    `exten => FM${x},1,Noop(Follow-me ${x}: prering ${x} ${f.preringSec} s, then list ${f.list.join('-')})`,
    ' same => n,Set(__NODEST=${EXTEN})',
    ` same => n,Gosub(sub-record-check,s,1(exten,${x},dontcare))`,
    ' same => n,Set(RingGroupMethod=ringallv2-prim)',
    ` same => n(prering),Dial(Local/FMPR-${x}@ext-findmefollow/n,${f.preringSec},Ttr)`,
    ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?done)',
    ` same => n(grplist),Dial(Local/FMGL-${x}@ext-findmefollow/n,${f.listSec},Ttr)`,
    ` same => n(done),Noop(Follow-me ${x} DIALSTATUS \${DIALSTATUS})`,
    ' same => n,Hangup()',
    '; primary ring: the extension\'s own phone',
    `exten => FMPR-${x},1,Noop(Follow-me primary ${x} for \${CALLERID(all)})`,
    ` same => n,Dial(${tech}/${x},,Tt)`,
    ' same => n,Hangup()',
    '; follow-me list: through the ring-group member context (a Local channel inside a Local channel)',
    `exten => FMGL-${x},1,Noop(Follow-me list of ${x} for \${CALLERID(all)})`,
    ` same => n,Dial(${f.list.map(member).join('&')},,Tt)`,
    ' same => n,Hangup()',
  ];
}

function queue(q: FreePbxQueue): string[] {
  return [
    `exten => ${q.number},1,Noop(Queue ${q.number} ${q.strategy})`,
    ' same => n,Set(__BLKVM_OVERRIDE=BLKVM/${EXTEN}/${CHANNEL})',
    ' same => n,Set(__NODEST=${EXTEN})',
    ' same => n,Set(__CALLTYPE_OVERRIDE=external)',
    ` same => n,Gosub(sub-record-check,s,1(q,${q.number},force))`,
    ` same => n,Set(QUEUENUM=${q.number})`,
    ` same => n,Queue(${q.number},t,,,60)`,
    ` same => n,Noop(Queue ${q.number} QUEUESTATUS \${QUEUESTATUS})`,
    ' same => n,Hangup()',
  ];
}

/** The FreePBX-style contexts for `profile`, to load next to the lab dialplan (its `[from-external]` includes `ext-did-fpbx`). */
export function freepbxDialplanConf(profile: FreePbxProfile, tech: string): string {
  const out: string[] = ['[from-external]', 'include => ext-did-fpbx', '', '[ext-did-fpbx]'];
  for (const r of profile.routes) {
    out.push(
      `exten => ${r.did},1,Set(__FROM_DID=\${EXTEN})`,
      ` same => n,Gosub(sub-inbound-route,s,1(${r.recording}))`,
      ` same => n(dest-ext),${destinationGoto(r.destination)}`,
    );
  }
  out.push('', SUB_INBOUND_ROUTE, '[cidlookup-directory]');
  for (const [num, name] of Object.entries(profile.callerNames)) out.push(`exten => ${num},1,Set(CIDLOOKUP_NAME=${name})`, ' same => n,Return()');
  out.push('', SUB_RECORD_CHECK, '; --- ring groups (ringgroups module: ext-group; each member is a Local channel into from-ringgroup)', '[ext-group]');
  for (const g of profile.ringGroups) out.push(...ringGroup(g), '');
  out.push(FROM_RINGGROUP(tech), '; --- follow-me (findmefollow): ring the primary extension first, then the follow-me list (a second stage)', '[ext-findmefollow]');
  for (const f of profile.followMe) out.push(...followMe(f, tech));
  out.push('', '; --- queues (queues module: ext-queues; members Local/<ext>@from-queue/n, their state taken from the phone)', '[ext-queues]');
  for (const q of profile.queues) out.push(...queue(q));
  out.push('', FROM_QUEUE(tech));
  return out.join('\n');
}

/** queues.conf for the profile's queues: members `Local/<ext>@from-queue/n` whose state comes from the phone. */
export function freepbxQueuesConf(profile: FreePbxProfile, tech: string, names: Record<string, string>): string {
  const out: string[] = [];
  for (const q of profile.queues) {
    out.push(
      `[${q.number}]`,
      'musicclass = default',
      `strategy = ${q.strategy}`,
      `timeout = ${q.timeoutSec}`,
      `retry = ${q.retrySec}`,
      ...['wrapuptime = 0', 'maxlen = 0', 'joinempty = yes', 'leavewhenempty = no', 'ringinuse = yes', 'announce-frequency = 0', 'periodic-announce-frequency = 0'],
      ...['announce-holdtime = no', 'announce-position = no', 'reportholdtime = no', 'setinterfacevar = yes', 'setqueueentryvar = yes', 'setqueuevar = yes'],
      ...q.members.map((m) => `member => Local/${m}@from-queue/n,0,${names[m] ?? m},${tech}/${m}`),
      '',
    );
  }
  return out.join('\n');
}

/** The profile of the lab behind `test/fixtures/ami-fpbx` (asterisk-etc/extensions_fpbx.conf, queues_fpbx.conf). */
export const FREEPBX_LAB_PROFILE: FreePbxProfile = {
  routes: [
    { did: '74959876600', destination: { ringGroup: '600' }, recording: 'dontcare' },
    { did: '74959876601', destination: { ringGroup: '601' }, recording: 'force' },
    { did: '74959876602', destination: { ringGroup: '602' }, recording: 'dontcare' },
    { did: '74959876610', destination: { followMe: '1001' }, recording: 'force' },
    { did: '74959876700', destination: { queue: '700' }, recording: 'dontcare' },
    { did: '74959876701', destination: { queue: '701' }, recording: 'dontcare' },
  ],
  ringGroups: [
    { number: '600', strategy: 'ringall', members: ['1001', '1002'], ringSec: [20], recording: 'force' },
    { number: '601', strategy: 'hunt', members: ['1001', '1002'], ringSec: [6, 15], recording: 'dontcare' },
    { number: '602', strategy: 'memoryhunt', members: ['1001', '1002'], ringSec: [6, 15], recording: 'force' },
  ],
  followMe: [{ extension: '1001', preringSec: 6, list: ['1002'], listSec: 15 }],
  queues: [
    { number: '700', strategy: 'ringall', members: ['1001', '1002'], timeoutSec: 15, retrySec: 2 },
    { number: '701', strategy: 'rrmemory', members: ['1001', '1002'], timeoutSec: 5, retrySec: 1 },
  ],
  callerNames: {
    '+74951234567': 'ACME Ltd',
    '+74957778899': 'Globex Support Desk',
    '+74951234517': 'Initech Purchasing',
    '+74955501001': 'Umbrella Corp',
    '+74955501241': 'Stark Industries',
    '+74955501571': 'Wayne Enterprises',
  },
};

/** A FreePBX queue as app_queue runs it: members are Local channels into `from-queue`. */
export function freepbxQueueConfig(q: FreePbxQueue): QueueConfig {
  return { name: q.number, members: q.members, memberTimeoutMs: q.timeoutSec * 1000, retryMs: q.retrySec * 1000, strategy: q.strategy, localMembers: true };
}

/** The shortest time (s) any phone of `destination` rings before its stage (or the queue's round) gives up. */
export function shortestRingSec(profile: FreePbxProfile, destination: FreePbxDestination): number {
  if ('ringGroup' in destination) return Math.min(...(profile.ringGroups.find((g) => g.number === destination.ringGroup)?.ringSec ?? [0]));
  if ('followMe' in destination) {
    const f = profile.followMe.find((x) => x.extension === destination.followMe);
    return f ? Math.min(f.preringSec, f.listSec) : 0;
  }
  return profile.queues.find((q) => q.number === destination.queue)?.timeoutSec ?? 0;
}

/** Who a call to `destination` can ring, in the order the dialplan offers them. */
export function destinationMembers(profile: FreePbxProfile, destination: FreePbxDestination): string[] {
  if ('ringGroup' in destination) return profile.ringGroups.find((g) => g.number === destination.ringGroup)?.members ?? [];
  if ('followMe' in destination) {
    const f = profile.followMe.find((x) => x.extension === destination.followMe);
    return f ? [f.extension, ...f.list] : [];
  }
  return profile.queues.find((q) => q.number === destination.queue)?.members ?? [];
}
