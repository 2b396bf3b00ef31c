import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { UsersService } from '../users/users.service';
import type { AccessTokenClaims, AuthUser } from './auth-user';
import { InvalidTokenError, MissingTokenError, TokenExpiredError } from './auth.errors';
import { IS_PUBLIC } from './decorators/public.decorator';

/**
 * Global: every route needs a valid access token unless marked @Public(). Only HS256 is
 * accepted (no `alg: none`, no algorithm confusion), and the user must still exist; the role
 * comes from the database, so a demoted or deleted user loses access at once.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new MissingTokenError();
    const claims = await this.verify(token);
    const user = typeof claims.sub === 'number' ? await this.users.findAuthUser(claims.sub) : null;
    if (!user) throw new InvalidTokenError();
    request.user = user;
    return true;
  }

  private async verify(token: string): Promise<AccessTokenClaims> {
    try {
      return await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new TokenExpiredError();
      throw new InvalidTokenError();
    }
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : null;
}
