import { createHash } from 'node:crypto';
import type { CallRecord, CallRecording, CallTrackerEvent } from '@app/ami/tracker/call-record';
import { assignCall } from '../assignment/call-assignment';
import { callKey, type CallRecordingRow, type CallRow, type CallTimelineRow, type CallWrite } from './call-write';

/** Synchronous lookups the builder needs; the directory service answers them from its caches. */
export interface CallDirectoryView {
  userOf(extension: string): string | null;
  /** Company owning a phone, by the normalised number. */
  companyOf(normalizedNumber: string): string | null;
  normalize(rawNumber: string): string | null;
}

export interface CallWriteBuilderOptions {
  /** `RECORDINGS_URL_BASE`: the spec's `recording_url` is this plus the file name; null leaves it empty. */
  recordingsUrlBase: string | null;
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
    key: callKey(row.pbxId, row.linkedid),
    row,
    timeline: buildTimelineRow(event, seq, directory),
    recordings: carriesRecordings(event) ? event.call.recordings.map(toRecordingRow) : null,
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
  const firstRecording = call.recordings[0];
  return {
    pbxId: clip(call.pbx, 64),
    linkedid: clip(call.linkedids[0] ?? call.linkedid, 64),
    callUid: clip(call.callId, 64),
    direction: call.direction,
    status: call.status,
    callerNumber: clip(call.caller, 64),
    callerName: clipOrNull(call.callerName, 100),
    receiverNumber: clip(call.callee, 64),
    did: call.direction === 'inbound' ? clip(call.callee, 64) : null,
    externalNumber: clipOrNull(externalNumber, 32),
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.ended ? (call.endedAt ?? at) : null,
    ringSeconds: wholeSeconds(call.ringSeconds),
    talkSeconds: wholeSeconds(call.talkSeconds),
    holdSeconds: wholeSeconds(call.holdSeconds),
    hangupCause: call.hangupCause,
    hangupBy: call.hangupBy,
    answeredByExtension: clipOrNull(call.answeredBy, 32),
    assignedUserId: assignment.userId,
    callerCompanyId: externalNumber ? directory.companyOf(externalNumber) : null,
    recordingUrl: firstRecording && options.recordingsUrlBase ? clip(recordingUrl(options.recordingsUrlBase, firstRecording.file), 500) : null,
    crmCallId: clipOrNull(call.crmCallId, 64),
    lastEventAt: at,
    eventSeq: seq,
  };
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
          talkSeconds: wholeSeconds(call.talkSeconds),
          holdSeconds: wholeSeconds(call.holdSeconds),
          agents: [...call.agents],
        },
        discriminator: '',
      };
    }
  }
}

function carriesRecordings(event: CallTrackerEvent): boolean {
  return event.type === 'recording_started' || event.type === 'recording_stopped' || event.type === 'ended';
}

function toRecordingRow(recording: CallRecording): CallRecordingRow {
  return {
    fileName: clip(recording.file, 255),
    path: clipOrNull(recording.path, 1024),
    source: recording.source,
    startedAt: recording.startedAt,
    stoppedAt: recording.stoppedAt,
  };
}

/** Stored seconds are whole, rounded: 5.53 s of talk is 6 s (the captures' `.md` say so; the CDR truncates). */
function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
}

function recordingUrl(base: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(file)}`;
}

/** Column widths of the schema: an overlong value from the PBX is cut, never a reason to lose the call. */
function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

function clipOrNull(value: string | null, max: number): string | null {
  return value === null ? null : clip(value, max);
}

/** `call_events.dedupe_key` is varchar(128): a long discriminator (a file name) is hashed to fit. */
function dedupeKey(prefix: string, discriminator: string): string {
  const key = prefix + discriminator;
  return key.length <= 128 ? key : `${prefix}#${createHash('sha1').update(discriminator).digest('hex')}`;
}
