import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CallDirectoryService } from '../call-ingest';
import { AppConfig } from '../config/app-config';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-data';
import { DemoPbx } from './demo-pbx.service';
import { DemoSeeder } from './demo-seeder.service';

/**
 * The zero-config demo at start: demo users and companies first, then the simulated PBX, so
 * the first demo call already finds its user and its caller's company.
 */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly config: AppConfig,
    private readonly seeder: DemoSeeder,
    private readonly directory: CallDirectoryService,
    private readonly pbx: DemoPbx,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seeder.seed();
    // The directory also reloads on the database's NOTIFY; waiting here makes the first call deterministic.
    await this.directory.reload();
    await this.pbx.start();
    const why = this.config.DEMO_MODE === 'auto' ? 'DEMO_MODE=auto and no ASTERISK_HOST/ASTERISK_SERVERS' : 'DEMO_MODE=on';
    const users = DEMO_USERS.map((user) => `${user.username} (${user.role}, ${user.extension})`).join(', ');
    this.logger.warn(
      `DEMO MODE (${why}): calls come from the built-in PBX simulator. Demo users ${users} log in with the password "${DEMO_PASSWORD}". ` +
        'Set ASTERISK_HOST (or DEMO_MODE=off) for a real PBX.',
    );
  }
}
