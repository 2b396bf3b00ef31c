import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { type AuthUser, IS_PUBLIC } from '../common/auth';
import { Authenticator, bearerToken } from './authenticator';

/** Global: every route needs a valid access token unless marked @Public() (see Authenticator). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // A Socket.IO connection is authenticated once, in its handshake (realtime): its commands carry the user in socket.data.
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    request.user = await this.authenticator.authenticate(bearerToken(request.headers.authorization));
    return true;
  }
}
