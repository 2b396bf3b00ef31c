import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { USER_ROLES, type UserRole } from '@app/contracts';
import { UserPhoneInputDto } from './user-phone.dto';

const lowerCaseTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserDto {
  @ApiProperty({ description: 'Login name, case-insensitive (stored lower-case)', example: 'ivanov', pattern: '^[a-z0-9._-]{3,100}$' })
  @Transform(lowerCaseTrimmed)
  @IsString()
  @Matches(/^[a-z0-9._-]{3,100}$/, { message: 'username must be 3-100 letters, digits, ".", "_" or "-"' })
  username: string;

  @ApiProperty({ example: 'ivanov@example.com' })
  @Transform(lowerCaseTrimmed)
  @IsEmail()
  @MaxLength(100)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password: string;

  @ApiPropertyOptional({ maxLength: 30, nullable: true, example: 'Иван' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(30)
  firstName?: string | null;

  @ApiPropertyOptional({ maxLength: 30, nullable: true, example: 'Иванов' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(30)
  lastName?: string | null;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'operator' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ default: true, description: 'false switches the account off: no login, its tokens and live connections stop working' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [UserPhoneInputDto], description: 'Replaces all of the user\'s phones on update' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  // Without it a list of lists passes ValidateNested and reaches the service as arrays.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => UserPhoneInputDto)
  phones?: UserPhoneInputDto[];
}
