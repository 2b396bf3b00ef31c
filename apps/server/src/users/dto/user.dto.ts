import { ApiProperty, PickType } from '@nestjs/swagger';
import { PageOf } from '../../common/dto/page.dto';
import { USER_ROLES, USER_STATUSES, type UserRole, type UserStatus } from '@app/contracts';
import { UserPhoneDto } from './user-phone.dto';

export class UserDto {
  @ApiProperty({ example: 12 })
  id: number;

  @ApiProperty({ example: 'ivanov' })
  username: string;

  @ApiProperty({ example: 'ivanov@example.com' })
  email: string;

  @ApiProperty({ nullable: true, type: String, example: 'Иван' })
  firstName: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Иванов' })
  lastName: string | null;

  @ApiProperty({ enum: USER_ROLES })
  role: UserRole;

  @ApiProperty({ enum: USER_STATUSES, description: 'Presence: offline while no realtime connection is open, else the status the user chose' })
  status: UserStatus;

  @ApiProperty({ description: 'false: switched off by an admin (no login, tokens refused)' })
  active: boolean;

  @ApiProperty({ type: [UserPhoneDto] })
  phones: UserPhoneDto[];

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}

export class UserPageDto extends PageOf(UserDto) {}

/** What every user may see of a colleague: who they are, where to reach them, whether they are there. */
export class UserDirectoryEntryDto extends PickType(UserDto, ['id', 'username', 'firstName', 'lastName', 'status'] as const) {
  @ApiProperty({ type: [String], example: ['1001'], description: 'Internal extensions (no external numbers)' })
  extensions: string[];
}

export class UserDirectoryPageDto extends PageOf(UserDirectoryEntryDto) {}
