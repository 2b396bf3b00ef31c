import { ApiProperty } from '@nestjs/swagger';
import {
  CALL_DIRECTIONS,
  CALL_END_SOURCES,
  CALL_STATUSES,
  CALL_TIMELINE_TYPES,
  HANGUP_PARTIES,
  type CallDetail,
  type CallDirection,
  type CallEndSource,
  type CallListItem,
  type CallStatus,
  type CallTimelineEntry,
  type HangupBy,
} from '@app/contracts';
// The DTO file alone: the recordings index leads back to calls through its controller.
import { RecordingDto } from '../../recordings';
import type { CallHistoryPageResult } from '../history/calls-history.service';

/** A call as stored, with the assigned user's and the company's names. */
export class CallDto implements CallListItem {
  @ApiProperty({ example: '1042' })
  id: string;

  @ApiProperty({ example: 'default', description: 'PBX the call ran on' })
  pbxId: string;

  @ApiProperty({ example: '1795696635.2', description: "The call's first Linkedid on its PBX" })
  linkedid: string;

  @ApiProperty({ enum: CALL_DIRECTIONS })
  direction: CallDirection;

  @ApiProperty({ enum: CALL_STATUSES, description: 'Live: ringing, answered, on_hold. Final: answered, missed, busy, abandoned, failed' })
  status: CallStatus;

  @ApiProperty({ example: '+74951234567' })
  callerNumber: string;

  @ApiProperty({ type: String, nullable: true, example: 'Alice Agent' })
  callerName: string | null;

  @ApiProperty({ example: '74959876543', description: 'Dialled number or extension (the DID of an inbound call)' })
  receiverNumber: string;

  @ApiProperty({ type: String, nullable: true, example: '74959876543' })
  did: string | null;

  @ApiProperty({ type: String, nullable: true, example: '+74951234567', description: "The outside party's number, normalised" })
  externalNumber: string | null;

  @ApiProperty({ example: '2026-11-26T12:37:15.262Z' })
  startedAt: string;

  @ApiProperty({ type: String, nullable: true })
  answeredAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  endedAt: string | null;

  @ApiProperty({ example: 1 })
  ringSeconds: number;

  @ApiProperty({ type: Number, nullable: true, example: 4, description: 'Connected to a person, without hold or a transfer target ringing; null when the end was not observed (unknown, not 0)' })
  talkSeconds: number | null;

  @ApiProperty({ example: 0 })
  holdSeconds: number;

  @ApiProperty({ type: Number, nullable: true, example: 4, description: "The specification's column: talk seconds (null like them)" })
  duration: number | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether the end was seen live: false when the call was gone by the time the ingest looked again (a restart, a cut link); null while live',
  })
  endObserved: boolean | null;

  @ApiProperty({
    enum: CALL_END_SOURCES,
    nullable: true,
    description: "How the end is known: `ami` (seen live), `cdr` (completed from Asterisk's own CDR), `unobserved` (bounded by the last event seen); null while live",
  })
  endSource: CallEndSource | null;

  @ApiProperty({ type: Number, nullable: true, example: 16, description: 'Q.850 cause' })
  hangupCause: number | null;

  @ApiProperty({ enum: HANGUP_PARTIES, nullable: true })
  hangupBy: HangupBy | null;

  @ApiProperty({ type: String, nullable: true, example: '1001' })
  answeredByExtension: string | null;

  @ApiProperty({ type: String, nullable: true, example: '7' })
  assignedUserId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Alice Agent' })
  assignedUserName: string | null;

  @ApiProperty({ type: String, nullable: true, example: '3' })
  callerCompanyId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ООО Ромашка' })
  callerCompanyName: string | null;

  @ApiProperty({ type: String, nullable: true })
  recordingUrl: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'CRM_CALL_ID of a click-to-call' })
  crmCallId: string | null;

  @ApiProperty({ type: [String], example: ['7', '9'], description: 'Users whose phones took part (rang, answered, transferred, placed the call): who may see it' })
  participantUserIds: string[];

  @ApiProperty({ example: '2026-11-26T12:37:05.120Z', description: 'When the step this state follows from happened; with eventSeq, the version live updates are ordered by' })
  lastEventAt: string;

  @ApiProperty({ example: 3, description: 'Order of that step among the call\'s steps of the same instant (live updates carry it too)' })
  eventSeq: number;
}

export class CallPageDto implements CallHistoryPageResult {
  @ApiProperty({ type: [CallDto] })
  items: CallDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class CallTimelineEntryDto implements CallTimelineEntry {
  @ApiProperty({ example: '88' })
  id: string;

  @ApiProperty({ enum: CALL_TIMELINE_TYPES })
  type: CallTimelineEntry['type'];

  @ApiProperty({ example: '2026-11-26T12:37:16.273Z' })
  occurredAt: string;

  @ApiProperty({
    type: Object,
    description:
      'ringing/answered: extension, channel, userId; held/unheld: by (server|phone), seconds; transferred: kind, from, to, fromUserId, toUserId; ' +
      'recording_*: file, path, source; ended: status, hangupBy, hangupCause, ringSeconds, talkSeconds, holdSeconds, agents',
    example: { extension: '1001', channel: 'SIP/1001-00000003', userId: '7' },
  })
  data: CallTimelineEntry['data'];
}

export class CallDetailDto implements CallDetail {
  @ApiProperty({ type: CallDto })
  call: CallDto;

  @ApiProperty({ type: [CallTimelineEntryDto], description: 'Every step in order' })
  timeline: CallTimelineEntryDto[];

  @ApiProperty({ type: [RecordingDto] })
  recordings: RecordingDto[];
}
