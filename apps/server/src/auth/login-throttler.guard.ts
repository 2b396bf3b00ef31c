import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainError } from '../common/errors/domain-error';

/** Attempts per client address and username (the guard's own tracker). */
export const LOGIN_THROTTLER = 'default';
/** Attempts per client address, whatever the usernames (its tracker is set in the module). */
export const LOGIN_IP_THROTTLER = 'login-ip';

/** The client address alone: a flood of guesses at many usernames from one place. */
export const trackClientAddress = (request: Record<string, any>): string => String(request.ip);

/**
 * Counts login attempts per client address and username (guessing one account's password is
 * slowed down, while colleagues behind the same NAT can still log in) and, more loosely, per
 * client address across usernames (so random usernames do not escape the first count).
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const username = typeof request.body?.username === 'string' ? request.body.username.trim().toLowerCase() : '';
    return `${request.ip}|${username}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    const error = new DomainError('TOO_MANY_REQUESTS', 429, `Too many login attempts; retry in ${limit.timeToBlockExpire} s`, {
      retryAfterSeconds: limit.timeToBlockExpire,
    });
    error.retryAfterSeconds = limit.timeToBlockExpire;
    throw error;
  }
}
