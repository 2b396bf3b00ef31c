import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id password hashes (the library's defaults follow the OWASP recommendation). */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed login, not a server error.
      return false;
    }
  }

  /** Spends the time of one verification, so "no such user" and "wrong password" look alike. */
  async verifyNothing(password: string): Promise<void> {
    this.dummyHash ??= this.hash('timing-equaliser');
    await this.verify(await this.dummyHash, password);
  }
}
