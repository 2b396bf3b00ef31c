import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { PHONE_TYPES, type PhoneType } from '../user-role';

export class UserPhoneInputDto {
  @ApiProperty({ description: 'Any formatting; normalised for matching. Extensions stay as typed.', example: '+7 (495) 123-45-67' })
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  phoneNumber: string;

  @ApiProperty({ enum: PHONE_TYPES, example: 'mobile' })
  @IsIn(PHONE_TYPES)
  phoneType: PhoneType;
}

export class UserPhoneDto {
  @ApiProperty({ example: 7 })
  id: number;

  @ApiProperty({ example: '+7 (495) 123-45-67' })
  phoneNumber: string;

  @ApiProperty({ enum: PHONE_TYPES, example: 'mobile' })
  phoneType: PhoneType;

  @ApiProperty({ description: 'E.164, or the digits of an extension', example: '+74951234567' })
  normalizedNumber: string;
}
