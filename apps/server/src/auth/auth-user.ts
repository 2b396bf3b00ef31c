import type { UserRole } from '../users/user-role';

/** The authenticated caller, attached to the request by JwtAuthGuard. */
export interface AuthUser {
  id: number;
  username: string;
  role: UserRole;
}

/** Claims of an access token. */
export interface AccessTokenClaims {
  sub: number;
  username: string;
  role: UserRole;
}
