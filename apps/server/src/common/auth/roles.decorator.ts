import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '@app/contracts';

export const REQUIRED_ROLES = 'auth:roles';

/** Restricts a route to the given roles; without it any authenticated user may call it. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
