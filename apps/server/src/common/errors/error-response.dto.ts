import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error response. */
export class ErrorResponseDto {
  @ApiProperty({ example: 409 })
  statusCode: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'USERNAME_TAKEN' })
  error: string;

  @ApiProperty({ example: 'Username "ivanov" is already taken' })
  message: string;

  @ApiPropertyOptional({
    description: 'Structured details, e.g. the fields that failed validation',
    example: [{ field: 'email', messages: ['email must be an email'] }],
  })
  details?: unknown;

  @ApiProperty({ example: '/api/users' })
  path: string;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  timestamp: string;
}
