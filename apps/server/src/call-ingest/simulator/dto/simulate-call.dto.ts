import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CallDto } from '../../../calls';

const PHONE = /^\+?[0-9][0-9 ().-]{1,30}$/;

export class SimulateCallDto {
  @ApiProperty({ example: '+7 (495) 123-45-67', description: 'Number the test call comes from' })
  @IsString()
  @Matches(PHONE, { message: 'callerNumber must be a phone number (digits, spaces, +, (, ), . or -)' })
  callerNumber: string;

  @ApiProperty({ example: '1001', description: 'Extension that rings' })
  @IsString()
  @Matches(/^[0-9]{2,10}$/, { message: 'extension must be 2-10 digits' })
  extension: string;

  @ApiPropertyOptional({ example: '+7 (495) 987-65-43', description: 'Dialled number shown as the DID (default: the extension)' })
  @IsOptional()
  @IsString()
  @Matches(PHONE, { message: 'did must be a phone number (digits, spaces, +, (, ), . or -)' })
  did?: string;

  @ApiPropertyOptional({ example: 'Test Caller' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'callerName must not contain control characters' })
  callerName?: string;

  @ApiPropertyOptional({ type: Number, default: 30, minimum: 1, maximum: 600, description: 'Unanswered this long, the call ends as missed' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600)
  ringTimeoutSeconds: number = 30;

  @ApiPropertyOptional({ type: Number, default: 120, minimum: 1, maximum: 3600, description: 'Answered this long, the agent hangs up' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  talkTimeoutSeconds: number = 120;
}

export class HangupSimulatedCallDto {
  @ApiPropertyOptional({ type: String, enum: ['caller', 'agent'], default: 'caller', description: 'Who hangs up an answered call (a ringing one is always abandoned by the caller)' })
  @IsOptional()
  @IsIn(['caller', 'agent'])
  by: 'caller' | 'agent' = 'caller';
}

export class SimulatedCallDto {
  @ApiProperty({ example: '1795700000.1234', description: 'Id for /simulate/{id}/answer and /hangup' })
  id: string;

  @ApiProperty({ example: 'simulator' })
  pbxId: string;

  @ApiProperty({ example: '1795700000.1234' })
  linkedid: string;

  @ApiProperty({ enum: ['ringing', 'answered', 'ended'] })
  state: 'ringing' | 'answered' | 'ended';

  @ApiProperty({ type: CallDto, nullable: true, description: 'The call as stored (null in TEST_MODE, where nothing is stored)' })
  call: CallDto | null;
}
