import { ApiProperty } from '@nestjs/swagger';
import { CallDto } from '../../calls';
import type { CallStats, SecondsSummary, UserCallStats } from '@app/contracts';

class SecondsSummaryDto implements SecondsSummary {
  @ApiProperty({ type: Number, nullable: true, example: 12.5 })
  average: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 30, description: '90th percentile, linear interpolation' })
  p90: number | null;
}

class TalkSecondsDto extends SecondsSummaryDto {
  @ApiProperty({ example: 5400 })
  total: number;
}

class StatsTotalsDto {
  @ApiProperty({ example: 120 })
  calls: number;

  @ApiProperty({ example: 96 })
  answered: number;

  @ApiProperty({ example: 0.8, description: 'answered / calls (0 without calls)' })
  answerRate: number;

  @ApiProperty({ example: { answered: 96, missed: 14, busy: 3, abandoned: 6, failed: 1 } })
  byStatus: CallStats['totals']['byStatus'];

  @ApiProperty({ example: { inbound: 80, outbound: 30, internal: 10 } })
  byDirection: CallStats['totals']['byDirection'];
}

class UserCallStatsDto implements UserCallStats {
  @ApiProperty({ example: '7' })
  userId: string;

  @ApiProperty({ type: String, nullable: true, example: 'Alice Agent' })
  userName: string | null;

  @ApiProperty()
  calls: number;

  @ApiProperty()
  answered: number;

  @ApiProperty({ description: 'Missed, abandoned or busy' })
  unanswered: number;

  @ApiProperty()
  talkSeconds: number;

  @ApiProperty({ type: Number, nullable: true })
  averageTalkSeconds: number | null;
}

class HourBucketDto {
  @ApiProperty({ minimum: 0, maximum: 23 })
  hour: number;

  @ApiProperty()
  calls: number;

  @ApiProperty()
  answered: number;
}

class DayBucketDto {
  @ApiProperty({ example: '2026-11-26' })
  day: string;

  @ApiProperty()
  calls: number;

  @ApiProperty()
  answered: number;
}

class MissedNotCalledBackDto {
  @ApiProperty({ description: 'How many there are' })
  count: number;

  @ApiProperty({ type: [CallDto], description: 'The latest 100 of them' })
  calls: CallDto[];
}

export class StatsDto implements CallStats {
  @ApiProperty()
  from: string;

  @ApiProperty()
  to: string;

  @ApiProperty({ example: 'UTC' })
  timeZone: string;

  @ApiProperty({ type: String, nullable: true })
  userId: string | null;

  @ApiProperty({ type: StatsTotalsDto })
  totals: StatsTotalsDto;

  @ApiProperty({ type: SecondsSummaryDto, description: 'Over every ended call of the period' })
  ringSeconds: SecondsSummaryDto;

  @ApiProperty({ type: TalkSecondsDto, description: 'Over answered calls' })
  talkSeconds: TalkSecondsDto;

  @ApiProperty({ type: [UserCallStatsDto] })
  perUser: UserCallStatsDto[];

  @ApiProperty({ type: [HourBucketDto], description: '24 entries, hour of the start time in tz' })
  perHour: HourBucketDto[];

  @ApiProperty({ type: [DayBucketDto], description: 'Days with calls, oldest first' })
  perDay: DayBucketDto[];

  @ApiProperty({
    type: MissedNotCalledBackDto,
    description: 'Inbound missed/abandoned/busy calls that no later answered call to or from the same number followed',
  })
  missedNotCalledBack: MissedNotCalledBackDto;
}
