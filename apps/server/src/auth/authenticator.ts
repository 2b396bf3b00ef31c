import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UsersService } from '../users';
import type { AccessTokenClaims, AuthUser } from '../common/auth';
import { InvalidTokenError, MissingTokenError, TokenExpiredError, TokenRevokedError, UserDeactivatedError } from './auth.errors';

/** A verified token: who it stands for and until when (null: the token has no `exp`). */
export interface AuthSession {
  user: AuthUser;
  expiresAt: Date | null;
  /** The version the token was issued at, still the user's (a later one revokes the session). */
  tokenVersion: number;
}

/**
 * Turns an access token into the user it stands for, for every door into the server: the REST
 * guard, the Socket.IO handshake, signed media URLs. Only HS256 is accepted (no `alg: none`,
 * no algorithm confusion), and the user must still exist; the role comes from the database, so
 * a demoted or deleted user loses access at once, and the token's version must be the user's
 * (a password change or a logout revokes every token issued before).
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  /** The user of a valid token; a domain error (401) saying why otherwise. */
  async authenticate(token: string | null | undefined): Promise<AuthUser> {
    return (await this.session(token)).user;
  }

  /** As {@link authenticate}, with the token's expiry, for connections that outlive a request. */
  async session(token: string | null | undefined): Promise<AuthSession> {
    if (!token) throw new MissingTokenError();
    const claims = await this.verify(token);
    const found = typeof claims.sub === 'number' ? await this.users.findAuthUser(claims.sub) : null;
    if (!found) throw new InvalidTokenError();
    if (!found.active) throw new UserDeactivatedError();
    if ((claims.ver ?? 0) !== found.tokenVersion) throw new TokenRevokedError();
    const { active: _active, tokenVersion: _tokenVersion, ...user } = found;
    return { user, expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null, tokenVersion: found.tokenVersion };
  }

  /** The claims, with `exp` (seconds since epoch) as the signer set it. */
  private async verify(token: string): Promise<AccessTokenClaims & { exp?: number }> {
    try {
      return await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token, { algorithms: ['HS256'] });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new TokenExpiredError();
      throw new InvalidTokenError();
    }
  }
}

/** The token of an `Authorization: Bearer …` header, else null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : null;
}
