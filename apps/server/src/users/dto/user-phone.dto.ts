import { ApiProperty } from '@nestjs/swagger';
import { OwnedPhoneDto } from '../../common/phone/owned-phones';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { PHONE_TYPES, type PhoneType } from '@app/contracts';

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

export class UserPhoneDto extends OwnedPhoneDto {
  @ApiProperty({ enum: PHONE_TYPES, example: 'mobile' })
  phoneType: PhoneType;
}
