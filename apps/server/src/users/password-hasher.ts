import { HttpStatus, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { ConcurrencyLimiter, LimiterFullError, type LimiterLoad } from '../common/concurrency/concurrency-limiter';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';

/** Seconds a refused login is asked to wait: a few hashes' time. */
const BUSY_RETRY_AFTER_SECONDS = 2;

export class LoginBusyError extends DomainError {
  constructor() {
    super('LOGIN_BUSY', HttpStatus.SERVICE_UNAVAILABLE, 'Too many logins at once; retry in a moment');
    this.retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;
  }
}

/**
 * argon2id password hashes (the library's defaults follow the OWASP recommendation). Each
 * hash costs ~64 MB and tens of milliseconds of CPU on purpose, so they run at most
 * PASSWORD_HASH_CONCURRENCY at a time: a login flood waits in a bounded queue (then gets 503
 * LOGIN_BUSY) instead of taking every core from the requests already being served.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;
  private readonly limiter: ConcurrencyLimiter;

  constructor(config: AppConfig) {
    this.limiter = new ConcurrencyLimiter(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE);
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => argon2.hash(password, { type: argon2.argon2id }));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.bounded(() => argon2.verify(hash, password));
    } catch (error) {
      if (error instanceof LoginBusyError) throw error;
      // A malformed stored hash is a failed login, not a server error.
      return false;
    }
  }

  /** Spends the time of one verification, so "no such user" and "wrong password" look alike. */
  async verifyNothing(password: string): Promise<void> {
    this.dummyHash ??= this.hash('timing-equaliser');
    await this.verify(await this.dummyHash, password);
  }

  /** Hashes running and waiting now, and the most that ever ran at once. */
  load(): LimiterLoad {
    return this.limiter.load();
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(task);
    } catch (error) {
      throw error instanceof LimiterFullError ? new LoginBusyError() : error;
    }
  }
}
