import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { UserDto } from '../../users';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  username: string;

  @ApiProperty({ example: 'the password' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'JWT (HS256) to send as "Authorization: Bearer <token>"' })
  accessToken: string;

  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expiresIn: number;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}
