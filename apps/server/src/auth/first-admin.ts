import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { UsernameTakenError, UsersService } from '../users';

/**
 * Creates the first admin when the database has none: ADMIN_USERNAME with ADMIN_PASSWORD, or
 * with a generated password printed this once (it is stored only as a hash).
 */
@Injectable()
export class FirstAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('FirstAdmin');

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.adminExists()) return;
    const password = this.config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    try {
      await this.users.create(
        { username: this.config.ADMIN_USERNAME.toLowerCase(), email: this.config.ADMIN_EMAIL.toLowerCase(), password, role: 'admin' },
        { userId: null, ip: null },
      );
    } catch (error) {
      if (error instanceof UsernameTakenError && (await this.users.adminExists())) return; // another process won the race
      throw error;
    }
    if (this.config.ADMIN_PASSWORD) {
      this.logger.log(`Created the first admin "${this.config.ADMIN_USERNAME}" with the password from ADMIN_PASSWORD`);
    } else {
      this.logger.warn(
        `Created the first admin "${this.config.ADMIN_USERNAME}" with the generated password: ${password} ` +
          '(shown only this once; log in and change it)',
      );
    }
  }
}
