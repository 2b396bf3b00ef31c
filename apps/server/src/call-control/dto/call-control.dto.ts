import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { TRANSFER_MODES, type TransferMode } from '@app/contracts';

/** Digits with an optional leading + and the separators people type; never CR, LF or NUL (they would inject AMI headers). */
export const PHONE_NUMBER = /^\+?[0-9][0-9 ().-]{1,38}$/;
const PHONE_NUMBER_MESSAGE = 'must be a phone number: digits, an optional leading +, spaces, dashes, dots or parentheses';
/** An extension as the PBX names a phone. */
export const EXTENSION = /^[0-9]{1,15}$/;
/** Free text for the audit log and the PBX: one line. */
const ONE_LINE = /^[^\r\n\0]*$/;
const ONE_LINE_MESSAGE = 'must be one line of text (no CR, LF or NUL)';
/** A CRM record id: safe as a channel variable value (no comma, quote or backslash). */
const CRM_CALL_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const PBX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const QUEUE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,79}$/;
const RECORD_ID = /^[1-9][0-9]{0,9}$/;

/** The separators a phone number was typed with, removed: what the dialplan is given. */
export function dialableNumber(text: string): string {
  return text.replace(/[ ().-]/g, '');
}

/** JSON numbers are accepted for ids, as strings for the checks. */
const idText = ({ value }: { value: unknown }) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value);

export class TransferCallDto {
  @ApiPropertyOptional({ description: 'Transfer to this user (their first extension). Exactly one of targetUserId, extension, number.', example: '12' })
  @ValidateIf((o: TransferCallDto) => o.targetUserId !== undefined || (o.extension === undefined && o.number === undefined))
  @Transform(idText)
  @Matches(RECORD_ID, { message: 'targetUserId must be a user id; give exactly one of targetUserId, extension or number' })
  targetUserId?: string;

  @ApiPropertyOptional({ description: 'Transfer to this extension (it must belong to a user).', example: '1002' })
  @IsOptional()
  @Matches(EXTENSION, { message: 'extension must be 1-15 digits' })
  extension?: string;

  @ApiPropertyOptional({ description: 'Transfer to this external number, dialled through the transfer context.', example: '8 495 111-22-33' })
  @IsOptional()
  @Matches(PHONE_NUMBER, { message: `number ${PHONE_NUMBER_MESSAGE}` })
  number?: string;

  @ApiPropertyOptional({ description: 'Why (kept in the audit log).', example: 'Billing question', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(ONE_LINE, { message: `transferReason ${ONE_LINE_MESSAGE}` })
  transferReason?: string;

  @ApiPropertyOptional({ enum: TRANSFER_MODES, default: 'blind', description: 'attended: consult the target first, then POST .../transfer/complete or .../transfer/cancel' })
  @IsOptional()
  @IsIn(TRANSFER_MODES)
  mode?: TransferMode;
}

export class RecordingDto {
  @ApiProperty({ description: 'true starts an on-demand recording, false stops it' })
  @IsBoolean()
  on: boolean;
}

export class OriginateCallDto {
  @ApiProperty({ description: 'What to dial once your phone answered: an external number or an extension.', example: '+7 495 111-22-33' })
  @Matches(PHONE_NUMBER, { message: `number ${PHONE_NUMBER_MESSAGE}` })
  number: string;

  @ApiPropertyOptional({ description: 'The CRM record the call belongs to (CRM_CALL_ID); made up when left out.', example: 'deal-4711' })
  @IsOptional()
  @Matches(CRM_CALL_ID, { message: 'crmCallId must be 1-64 letters, digits, ".", "_", ":" or "-"' })
  crmCallId?: string;

  @ApiPropertyOptional({ description: 'The PBX to call through; required when several are configured.', example: 'main' })
  @IsOptional()
  @Matches(PBX_ID, { message: 'pbxId must be a PBX id' })
  pbxId?: string;
}

export class AgentPauseDto {
  @ApiProperty({ description: 'true pauses you as a queue member, false resumes' })
  @IsBoolean()
  paused: boolean;

  @ApiPropertyOptional({ description: 'One queue; every queue you are a member of when left out.', example: 'support' })
  @IsOptional()
  @Matches(QUEUE, { message: 'queue must be a queue name' })
  queue?: string;

  @ApiPropertyOptional({ description: 'Shown in the queue (PausedReason).', example: 'Lunch', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(ONE_LINE, { message: `reason ${ONE_LINE_MESSAGE}` })
  reason?: string;

  @ApiPropertyOptional({ description: 'The PBX; required when several are configured.', example: 'main' })
  @IsOptional()
  @Matches(PBX_ID, { message: 'pbxId must be a PBX id' })
  pbxId?: string;
}

/** The socket commands name their call in the payload (REST has it in the path). */
class SocketCallId {
  @Transform(idText)
  @Matches(RECORD_ID, { message: 'callId must be a call id' })
  callId: string;
}

export class SocketCallDto extends SocketCallId {}

export class SocketTransferCallDto extends TransferCallDto {
  @Transform(idText)
  @Matches(RECORD_ID, { message: 'callId must be a call id' })
  callId: string;
}

export class SocketHoldCallDto extends SocketCallId {
  @IsBoolean()
  isHold: boolean;
}

export class SocketRecordCallDto extends SocketCallId {
  @IsBoolean()
  on: boolean;
}

export class CallControlConfirmationDto {
  @ApiProperty({ type: String, nullable: true, description: 'The CRM call id; null for click-to-call and agent pause', example: '4711' })
  callId: string | null;

  @ApiProperty({ example: 'main' })
  pbxId: string;

  @ApiProperty({
    description:
      'What the PBX events confirmed, by kind: held {by}; unheld {seconds}; transferred {mode, from, to}; consulting {to}; consultation_cancelled {to}; ' +
      'hung_up {channels, callEnded}; recording_started / recording_stopped {file, source}; originating {crmCallId, channelId, extension, number}; paused {paused, queues, interfaces}',
    example: { kind: 'held', by: 'server' },
  })
  confirmed: object;

  @ApiProperty({ description: 'When the confirming event arrived', example: '2026-11-26T12:41:35.205Z' })
  at: string;
}
