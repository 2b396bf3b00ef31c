import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { UserDto, UsersService } from '../users';
import { type AuthUser, CurrentUser, Public } from '../common/auth';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { LoginThrottlerGuard } from './login-throttler.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange username and password for an access token',
    description:
      'Rate-limited per client address and username (LOGIN_RATE_LIMIT per minute) and per client address (LOGIN_RATE_LIMIT_PER_IP). ' +
      'Password checks run a few at a time (PASSWORD_HASH_CONCURRENCY); past PASSWORD_HASH_QUEUE waiting, 503 LOGIN_BUSY with Retry-After.',
  })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiErrorResponses(400, 401, 429, 503)
  login(@Body() input: LoginDto, @Ip() ip: string): Promise<LoginResponseDto> {
    return this.auth.login(input.username, input.password, ip ?? null);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Log out: ends every session of the caller',
    description: 'Every token of the user issued until now is refused from then on (401 TOKEN_REVOKED) and their live connections close.',
  })
  @ApiResponse({ status: 204, description: 'Logged out' })
  @ApiErrorResponses(401)
  logout(@CurrentUser() user: AuthUser, @Ip() ip: string): Promise<void> {
    return this.auth.logout({ userId: user.id, ip: ip ?? null });
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The user the token belongs to' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiErrorResponses(401)
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.users.get(user.id);
  }
}
