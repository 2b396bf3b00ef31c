import { createHash } from 'node:crypto';
import type { CallRecord, CallTrackerEvent } from '@app/ami';
import type { CallEndSource } from '@app/contracts';
import { assignCall } from '../assignment/call-assignment';
import { callKey, type CallRow, type CallTimelineRow, type CallWrite } from './call-write';

/** Synchronous lookups the builder needs; the directory service answers them from its caches. */
export interface CallDirectoryView {
  userOf(extension: string): string | null;
  /** Company owning a phone, by the normalised number. */
  companyOf(normalizedNumber: string): string | null;
  normalize(rawNumber: string): string | null;
}

export interface CallWriteBuilderOptions {
  /** `calls.writer`: the ingest process writing the rows. */
  writer: string;
}

/** Turns one tracker event into the rows it makes the ingest write. Pure: same input, same rows. */
export function buildCallWrite(
  event: CallTrackerEvent,
  seq: number,
  directory: CallDirectoryView,
  options: CallWriteBuilderOptions,
): CallWrite {
  const row = buildCallRow(event.call, event.at, seq, directory, options);
  return {
    key: callKey(row.pbx_id, row.linkedid),
    row,
    timeline: buildTimelineRow(event, seq, directory),
    event,
  };
}

export function buildCallRow(
  call: CallRecord,
  at: number,
  seq: number,
  directory: CallDirectoryView,
  options: CallWriteBuilderOptions,
): CallRow {
  const rawExternal = call.direction === 'inbound' ? call.caller : call.direction === 'outbound' ? call.callee : null;
  const externalNumber = rawExternal ? directory.normalize(rawExternal) : null;
  const assignment = assignCall(call, (ext) => directory.userOf(ext));
  const talk = wholeSeconds(call.talkSeconds);
  return {
    pbx_id: clip(call.pbx, 64),
    linkedid: clip(call.linkedids[0] ?? call.linkedid, 64),
    call_uid: clip(call.callId, 64),
    direction: call.direction,
    status: call.status,
    caller_number: clip(call.caller, 64),
    caller_name: clipOrNull(call.callerName, 100),
    receiver_number: clip(call.callee, 64),
    did: call.direction === 'inbound' ? clip(call.callee, 64) : null,
    external_number: clipOrNull(externalNumber, 32),
    started_at: new Date(call.startedAt),
    answered_at: dateOrNull(call.answeredAt),
    ended_at: call.ended ? new Date(call.endedAt ?? at) : null,
    ring_seconds: wholeSeconds(call.ringSeconds),
    talk_seconds: talk,
    hold_seconds: wholeSeconds(call.holdSeconds),
    duration: talk,
    hangup_cause: call.hangupCause,
    hangup_by: call.hangupBy,
    answered_by_extension: clipOrNull(call.answeredBy, 32),
    assigned_user_id: idOrNull(assignment.userId),
    caller_company_id: externalNumber ? idOrNull(directory.companyOf(externalNumber)) : null,
    crm_call_id: clipOrNull(call.crmCallId, 64),
    participant_user_ids: participantUserIds(call, assignment.userId, directory),
    last_event_at: new Date(at),
    event_seq: seq,
    writer: options.writer,
    end_source: call.ended ? endSource(call) : null,
  };
}

/**
 * The users whose phones took part: the caller's extension, every extension that rang or
 * talked, both ends of each transfer, and the assigned user. They may see the call (CallAccess).
 */
function participantUserIds(call: CallRecord, assigned: string | null, directory: CallDirectoryView): number[] {
  const extensions = [call.caller, ...call.ringingExtensions, ...call.agents, ...(call.answeredBy ? [call.answeredBy] : [])];
  for (const transfer of call.transfers) extensions.push(transfer.to, ...(transfer.from ? [transfer.from] : []));
  const ids = new Set<number>();
  if (assigned) ids.add(Number(assigned));
  for (const extension of extensions) {
    const userId = directory.userOf(extension);
    if (userId) ids.add(Number(userId));
  }
  return [...ids].sort((a, b) => a - b);
}

function buildTimelineRow(event: CallTrackerEvent, seq: number, directory: CallDirectoryView): CallTimelineRow {
  const step = timelineStep(event, directory);
  return {
    type: event.type,
    occurredAt: event.at,
    seq,
    data: step.data,
    dedupeKey: dedupeKey(`${event.type}:${event.at}:`, step.discriminator),
  };
}

/** The step's details, and what tells two steps of one type at one instant apart. */
function timelineStep(event: CallTrackerEvent, directory: CallDirectoryView): { data: CallTimelineRow['data']; discriminator: string } {
  const userOf = (ext: string | null) => (ext ? directory.userOf(ext) : null);
  switch (event.type) {
    case 'ringing':
    case 'answered':
      return {
        data: { extension: event.extension, channel: event.channel, userId: userOf(event.extension) },
        discriminator: event.channel,
      };
    case 'held':
      return { data: { by: event.by }, discriminator: event.by };
    case 'unheld':
      return { data: { by: event.by, seconds: event.seconds }, discriminator: event.by };
    case 'transferred': {
      const { kind, from, to } = event.transfer;
      return {
        data: { kind, from, to, fromUserId: userOf(from), toUserId: userOf(to) },
        discriminator: `${from ?? ''}>${to}`,
      };
    }
    case 'recording_started':
    case 'recording_stopped':
      return {
        data: { file: event.recording.file, path: event.recording.path, source: event.recording.source },
        discriminator: event.recording.file,
      };
    case 'ended': {
      const call = event.call;
      return {
        data: {
          status: call.status,
          hangupBy: call.hangupBy,
          hangupCause: call.hangupCause,
          ringSeconds: wholeSeconds(call.ringSeconds),
          talkSeconds: endSource(call) === 'unobserved' ? null : wholeSeconds(call.talkSeconds),
          holdSeconds: wholeSeconds(call.holdSeconds),
          agents: [...call.agents],
          ...(call.callerSeen === false ? { callerUnseen: true as const } : {}),
        },
        discriminator: '',
      };
    }
  }
}

/**
 * A `lost` end (the call was gone when the ingest looked again) was not seen: its time is a bound,
 * its talk unknown. Neither is a call picked up after its caller had gone: its start and what
 * happened before are unknown; both wait for the CDR (see CdrCompletionService).
 */
function endSource(call: CallRecord): CallEndSource {
  return call.endReason === 'lost' || call.callerSeen === false ? 'unobserved' : 'ami';
}

/** Stored seconds are whole, rounded: 5.53 s of talk is 6 s (the captures' `.md` say so; the CDR truncates). */
function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
}

/** Column widths of the schema: an overlong value from the PBX is cut, never a reason to lose the call. */
function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

function clipOrNull(value: string | null, max: number): string | null {
  return value === null ? null : clip(value, max);
}

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function idOrNull(id: string | null): number | null {
  return id === null ? null : Number(id);
}

/** `call_events.dedupe_key` is varchar(128): a long discriminator (a file name) is hashed to fit. */
function dedupeKey(prefix: string, discriminator: string): string {
  const key = prefix + discriminator;
  return key.length <= 128 ? key : `${prefix}#${createHash('sha1').update(discriminator).digest('hex')}`;
}
