import type { UserRole } from '@app/contracts';

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
  /** The user's token version when it was issued (users.token_version); a token without one is version 0. */
  ver?: number;
}
