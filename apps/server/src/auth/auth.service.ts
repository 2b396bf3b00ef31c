import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type Actor, AuditService } from '../audit';
import { AppConfig } from '../config/app-config';
import { PasswordHasher, UsersService } from '../users';
import type { AccessTokenClaims } from '../common/auth';
import { InvalidCredentialsError, UserDeactivatedError } from './auth.errors';
import { LoginResponseDto } from './dto/login.dto';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async login(username: string, password: string, ip: string | null): Promise<LoginResponseDto> {
    const user = await this.users.findForLogin(username);
    if (!user) {
      await this.hasher.verifyNothing(password);
      await this.audit.record({ userId: null, ip }, { action: 'auth.login_failed', details: { username: username.trim().toLowerCase() } });
      throw new InvalidCredentialsError();
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.audit.record({ userId: user.id, ip }, { action: 'auth.login_failed', target: `user:${user.id}` });
      throw new InvalidCredentialsError();
    }
    if (!user.active) {
      await this.audit.record({ userId: user.id, ip }, { action: 'auth.login_failed', target: `user:${user.id}`, details: { reason: 'deactivated' } });
      throw new UserDeactivatedError();
    }
    const claims: AccessTokenClaims = { sub: user.id, username: user.username, role: user.role, ver: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims);
    const actor: Actor = { userId: user.id, ip };
    await this.audit.record(actor, { action: 'auth.login', target: `user:${user.id}` });
    return { accessToken, expiresIn: this.config.jwtExpiresInSeconds, user: await this.users.get(user.id) };
  }

  /** Ends every session of the caller (all their tokens, live connections included). */
  async logout(actor: Actor & { userId: number }): Promise<void> {
    await this.users.revokeSessions(actor.userId);
    await this.audit.record(actor, { action: 'auth.logout', target: `user:${actor.userId}` });
  }

}
