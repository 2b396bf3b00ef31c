import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
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
  @ApiOperation({ summary: 'Exchange username and password for an access token', description: 'Rate-limited per client address and username (LOGIN_RATE_LIMIT per minute).' })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiErrorResponses(400, 401, 429)
  login(@Body() input: LoginDto, @Ip() ip: string): Promise<LoginResponseDto> {
    return this.auth.login(input.username, input.password, ip ?? null);
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
