import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Actor } from '../audit';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { DomainError } from '../common/errors/domain-error';
import { CompaniesService } from '../companies';
import { UsersService } from '../users';
import { DEMO_COMPANIES, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_USERS, type DemoCompany, type DemoUser } from './demo-data';

/** Demo data is created by the server itself; the audit log shows it without a user. */
const SYSTEM_ACTOR: Actor = { userId: null, ip: null };

export type SeedOutcome = 'created' | 'present' | 'conflict';

export interface SeedResult {
  users: Record<SeedOutcome, string[]>;
  companies: Record<SeedOutcome, string[]>;
}

/**
 * Creates the demo users and companies that are missing, and only those: a restart creates
 * nothing, and whatever already holds a demo username, extension, company name or number
 * (an edited demo record, or the user's own data) is left as it is.
 */
@Injectable()
export class DemoSeeder {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly users: UsersService,
    private readonly companies: CompaniesService,
  ) {}

  async seed(): Promise<SeedResult> {
    const result: SeedResult = { users: emptyOutcomes(), companies: emptyOutcomes() };
    for (const user of DEMO_USERS) result.users[await this.seedUser(user)].push(user.username);
    for (const company of DEMO_COMPANIES) result.companies[await this.seedCompany(company)].push(company.name);
    this.logger.log(`demo users: ${describe(result.users)}`);
    this.logger.log(`demo companies: ${describe(result.companies)}`);
    return result;
  }

  private async seedUser(user: DemoUser): Promise<SeedOutcome> {
    // Checked first so that a restart does not pay for hashing passwords it will not store.
    if ((await this.findUsers(user.username)).some((found) => found.username === user.username)) return 'present';
    const owner = (await this.findUsers(user.extension)).find((found) => found.phones.some((phone) => phone.normalizedNumber === user.extension));
    if (owner) return this.conflict(`user ${user.username}`, `extension ${user.extension} belongs to user "${owner.username}"`);
    return this.created(`user ${user.username}`, () =>
      this.users.create(
        {
          username: user.username,
          email: `${user.username}@${DEMO_EMAIL_DOMAIN}`,
          password: DEMO_PASSWORD,
          firstName: user.firstName,
          lastName: user.lastName,
          role: user.role,
          phones: [{ phoneNumber: user.extension, phoneType: 'extension' }],
        },
        SYSTEM_ACTOR,
      ),
    );
  }

  private async seedCompany(company: DemoCompany): Promise<SeedOutcome> {
    const sameName = (await this.companies.list(search(company.name))).items.some((found) => found.name.toLowerCase() === company.name.toLowerCase());
    if (sameName) return 'present';
    for (const phone of company.phones) {
      const { normalizedNumber, company: owner } = await this.companies.lookup(phone);
      if (owner) return this.conflict(`company ${company.name}`, `${normalizedNumber} belongs to company "${owner.name}"`);
    }
    return this.created(`company ${company.name}`, () =>
      this.companies.create({ name: company.name, inn: company.inn, phones: company.phones, notes: 'Demo company (DEMO_MODE)' }, SYSTEM_ACTOR),
    );
  }

  private async findUsers(text: string) {
    return (await this.users.list(search(text))).items;
  }

  /** A unique key taken meanwhile (another process seeding, or an email in use) is a conflict, not a failed start. */
  private async created(what: string, create: () => Promise<unknown>): Promise<SeedOutcome> {
    try {
      await create();
      return 'created';
    } catch (error) {
      if (error instanceof DomainError && error.status === HttpStatus.CONFLICT) return this.conflict(what, error.message);
      throw error;
    }
  }

  private conflict(what: string, reason: string): SeedOutcome {
    this.logger.warn(`demo ${what} not created: ${reason}; the existing record is left as it is`);
    return 'conflict';
  }
}

/** The first page of a list search; an exact match beyond it only turns a skip into a caught conflict. */
function search(text: string): PageQueryDto {
  return Object.assign(new PageQueryDto(), { q: text, limit: 100 });
}

function emptyOutcomes(): Record<SeedOutcome, string[]> {
  return { created: [], present: [], conflict: [] };
}

function describe(outcomes: Record<SeedOutcome, string[]>): string {
  const parts = [
    outcomes.created.length > 0 && `created: ${outcomes.created.join(', ')}`,
    outcomes.present.length > 0 && `already there: ${outcomes.present.join(', ')}`,
    outcomes.conflict.length > 0 && `not created (conflict): ${outcomes.conflict.join(', ')}`,
  ];
  return parts.filter(Boolean).join('; ');
}
