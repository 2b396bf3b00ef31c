import { USER_ROLES, type UserRole } from '@app/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { APP_ROLES, type AppRole } from '../../config/app-config';

export class DemoLoginDto {
  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ enum: USER_ROLES, example: 'operator' })
  role: UserRole;

  @ApiProperty({ example: '1001' })
  extension: string;

  @ApiProperty({ example: 'Alice Smirnova' })
  name: string;
}

export class DemoInfoDto {
  @ApiProperty({ description: 'The password every demo user logs in with (public on purpose: the demo never runs in production)', example: 'demo-password' })
  password: string;

  @ApiProperty({ type: [DemoLoginDto] })
  users: DemoLoginDto[];
}

export class MetaDto {
  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ enum: APP_ROLES, example: 'all' })
  role: AppRole;

  @ApiProperty({ description: 'TEST_MODE: calls are tracked and logged but not stored', example: false })
  testMode: boolean;

  @ApiProperty({ type: DemoInfoDto, nullable: true, description: 'Set in demo mode only: the demo logins the login page offers' })
  demo: DemoInfoDto | null;
}
