import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  CALL_DIRECTIONS,
  CALL_STATUSES,
  RECORDING_SOURCES,
  RECORDING_STATUSES,
  RECORDING_STORAGES,
  type CallRecordingEntry,
  type RecordingListItem,
  type RecordingSource,
  type RecordingStatus,
  type RecordingStorageKind,
} from '@app/contracts';
import { OptionalIdQuery, PageCursorQuery, PageLimitQuery, PeriodFilterDto, toList } from '../../common/dto/list-filter.dto';

export class RecordingDto implements CallRecordingEntry {
  @ApiProperty({ example: '12' })
  id: string;

  @ApiProperty({ example: '42' })
  callId: string;

  @ApiProperty({ example: '20261126-123715-+74951234567-74959876543.wav', description: "Path under the PBX's monitor directory, as the PBX named it" })
  fileName: string;

  @ApiProperty({ enum: RECORDING_SOURCES })
  source: RecordingSource;

  @ApiProperty({
    enum: RECORDING_STATUSES,
    description:
      'pending: recording, or its file not there yet; ready: file measured; empty: no audio (unanswered call); missing: no file by the deadline; ' +
      'rejected: unsafe file name; deleted: removed by retention',
  })
  status: RecordingStatus;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why missing, rejected, measured approximately or left uncompressed' })
  statusReason: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 48364 })
  sizeBytes: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 3.02, description: 'Seconds of audio, read from the file' })
  durationSeconds: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'wav', description: 'wav, opus (after compression), mp3, gsm, …' })
  format: string | null;

  @ApiProperty({ enum: RECORDING_STORAGES })
  storage: RecordingStorageKind;

  @ApiProperty({ description: 'Exempt from retention (RECORDINGS_RETENTION_DAYS)' })
  keep: boolean;

  @ApiProperty({ example: '2026-11-26T12:37:00.512Z' })
  startedAt: string;

  @ApiProperty({ type: String, nullable: true })
  stoppedAt: string | null;

  @ApiProperty({ example: '/api/recordings/12/stream', description: 'Stream route (needs the Authorization header; players use GET …/url)' })
  streamUrl: string;
}

class RecordingCallDto {
  @ApiProperty({ example: 'main' })
  pbxId: string;

  @ApiProperty({ enum: CALL_DIRECTIONS })
  direction: RecordingListItem['call']['direction'];

  @ApiProperty({ enum: CALL_STATUSES })
  status: RecordingListItem['call']['status'];

  @ApiProperty({ example: '+74951234567' })
  callerNumber: string;

  @ApiProperty({ example: '74959876543' })
  receiverNumber: string;

  @ApiProperty()
  startedAt: string;

  @ApiProperty({ type: String, nullable: true })
  assignedUserId: string | null;
}

export class RecordingListItemDto extends RecordingDto implements RecordingListItem {
  @ApiProperty({ type: RecordingCallDto })
  call: RecordingCallDto;
}

export class RecordingPageDto {
  @ApiProperty({ type: [RecordingListItemDto] })
  items: RecordingListItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class RecordingsQueryDto extends PeriodFilterDto {
  @OptionalIdQuery('Recordings of this call')
  callId?: number;

  @OptionalIdQuery("The call's assigned user (operators always see only their own calls)")
  userId?: number;

  @ApiPropertyOptional({ type: String, enum: RECORDING_STATUSES, isArray: true, description: 'One or more, comma-separated or repeated' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(RECORDING_STATUSES, { each: true })
  status?: RecordingStatus[];

  @PageLimitQuery()
  limit: number = 50;

  @PageCursorQuery()
  cursor?: string;
}

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'true: sent as an attachment named after the call (a download)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  download?: boolean;

  @ApiPropertyOptional({ description: 'Signed URL: user id (from GET …/url)' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  uid?: string;

  @ApiPropertyOptional({ description: 'Signed URL: expiry, epoch seconds' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  exp?: string;

  @ApiPropertyOptional({ description: 'Signed URL: signature' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sig?: string;
}

export class SignedRecordingUrlDto {
  @ApiProperty({ example: '/api/recordings/12/stream?uid=7&exp=1795697000&sig=…', description: 'Playable without a header (an <audio> src); bound to this recording and user' })
  url: string;

  @ApiProperty({ example: '/api/recordings/12/stream?download=true&uid=7&exp=1795697000&sig=…', description: 'The same as an attachment named after the call' })
  downloadUrl: string;

  @ApiProperty({ example: '2026-11-26T12:52:00.000Z' })
  expiresAt: string;
}

export class UpdateRecordingDto {
  @ApiProperty({ description: 'true exempts the recording from retention' })
  @IsBoolean()
  keep: boolean;
}
