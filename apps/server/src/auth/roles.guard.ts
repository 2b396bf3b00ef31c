import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@app/contracts';
import { type AuthUser, REQUIRED_ROLES } from '../common/auth';
import { RoleRequiredError } from './auth.errors';

/** Global, after JwtAuthGuard: enforces @Roles(...) where present, on REST routes and Socket.IO commands alike. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) return true;
    const user =
      context.getType() === 'ws'
        ? context.switchToWs().getClient<{ data?: { user?: AuthUser } }>().data?.user
        : context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user || !roles.includes(user.role)) throw new RoleRequiredError(roles);
    return true;
  }
}
