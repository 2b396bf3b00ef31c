import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import type { AuthUser } from '../common/auth';
import { UsersService } from '../users';
import { resolveJwtSecret } from './jwt-secret';

/** The query parameters of a signed URL: the user it was issued to, its expiry (epoch seconds), the signature. */
export interface UrlSignature {
  uid: string;
  exp: string;
  sig: string;
}

export class SignedUrlInvalidError extends DomainError {
  constructor(reason: string) {
    super('SIGNED_URL_INVALID', HttpStatus.FORBIDDEN, `The signed URL is not valid: ${reason}`);
  }
}

export class SignedUrlExpiredError extends DomainError {
  constructor() {
    super('SIGNED_URL_EXPIRED', HttpStatus.FORBIDDEN, 'The signed URL has expired; ask for a new one');
  }
}

/**
 * Short-lived URLs for what a browser fetches without headers (an `<audio>` source): an HMAC
 * over the resource, the user and the expiry. The key is derived from the JWT secret for this
 * purpose only, so a URL signature is never an access token and an access token never signs
 * a URL. The user must still exist and be active when the URL is used, and the signature covers
 * their token version, so a deleted or deactivated user's links, and links issued before a
 * logout or password change, stop working; the caller checks that user's access to the
 * resource at that moment.
 */
@Injectable()
export class SignedUrls {
  private readonly key: Buffer;

  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    const logger = new Logger('Auth');
    this.key = createHmac('sha256', resolveJwtSecret(config, (message) => logger.warn(message))).update('crm signed url v1').digest();
  }

  /** Signs for the user as they are now: a later logout or password change (a new token version) voids it. */
  async sign(resource: string, userId: number, ttlSeconds: number, now = Date.now()): Promise<UrlSignature & { expiresAt: Date }> {
    const exp = String(Math.floor(now / 1000) + ttlSeconds);
    const uid = String(userId);
    const user = await this.users.findAuthUser(userId);
    if (!user) throw new SignedUrlInvalidError('its user no longer exists');
    return { uid, exp, sig: this.signature(resource, uid, exp, user.tokenVersion), expiresAt: new Date(Number(exp) * 1000) };
  }

  /** The user a valid, unexpired signature of `resource` was issued to; a 403 saying why otherwise. */
  async verify(resource: string, given: Partial<UrlSignature>, now = Date.now()): Promise<AuthUser> {
    const { uid, exp, sig } = given;
    if (!uid || !exp || !sig) throw new SignedUrlInvalidError('uid, exp and sig are all required');
    if (!/^\d{1,12}$/.test(uid) || !/^\d{1,12}$/.test(exp)) throw new SignedUrlInvalidError('uid and exp must be numbers');
    const user = await this.users.findAuthUser(Number(uid));
    if (!user) throw new SignedUrlInvalidError('its user no longer exists');
    // Signed with the user's token version at the time: a logout or password change since makes it a mismatch.
    const expected = Buffer.from(this.signature(resource, uid, exp, user.tokenVersion));
    const actual = Buffer.from(sig);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new SignedUrlInvalidError('the signature does not match (altered, issued for another resource, or revoked by a logout or password change)');
    }
    if (Number(exp) * 1000 <= now) throw new SignedUrlExpiredError();
    if (!user.active) throw new SignedUrlInvalidError('its user is deactivated');
    return { id: user.id, username: user.username, role: user.role };
  }

  private signature(resource: string, uid: string, exp: string, tokenVersion: number): string {
    return createHmac('sha256', this.key).update(`${resource}\n${uid}\n${exp}\n${tokenVersion}`).digest('base64url');
  }
}
