import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainError } from '../common/errors/domain-error';

/** Named 'default' so the 429 carries a plain Retry-After header. */
export const LOGIN_THROTTLER = 'default';

/**
 * Counts login attempts per client address and username: guessing one account's password is
 * slowed down, while colleagues behind the same NAT can still log in.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const username = typeof request.body?.username === 'string' ? request.body.username.trim().toLowerCase() : '';
    return `${request.ip}|${username}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('TOO_MANY_REQUESTS', 429, `Too many login attempts; retry in ${limit.timeToBlockExpire} s`, {
      retryAfterSeconds: limit.timeToBlockExpire,
    });
  }
}
