import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { type Actor, AuditService } from '../audit';
import { likePattern, Page } from '../common/dto/page.dto';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { rethrowUniqueViolation } from '../common/errors/unique-violation';
import { OwnedPhones, type PhoneOwnerKind, type PhoneOwnership } from '../common/phone/owned-phones';
import type { AuthUser } from '../common/auth';
import type { UserCard, UserStatus } from '@app/contracts';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPhoneInputDto } from './dto/user-phone.dto';
import { UserDirectoryEntryDto, UserDto } from './dto/user.dto';
import { UserPhone, USER_PHONE_NUMBER_UNIQUE } from './entities/user-phone.entity';
import { EMAIL_UNIQUE, User, USERNAME_UNIQUE } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UserAccessChanges, type UserAccessChangeReason } from './user-access-changes';
import { EmailTakenError, LastAdminError, UsernameTakenError } from './users.errors';

export const USER_PHONES: PhoneOwnerKind<UserPhone> = {
  name: 'user',
  entity: UserPhone,
  table: 'user_phones',
  ownerColumn: 'user_id',
  ownerProperty: 'userId',
  uniqueConstraint: USER_PHONE_NUMBER_UNIQUE,
};

type PhoneRow = Pick<UserPhone, 'phoneNumber' | 'phoneType' | 'normalizedNumber'>;

/** A user as authentication needs them now. */
export type AuthUserState = AuthUser & { active: boolean; tokenVersion: number };

/** Users and the phones/extensions that identify them on calls. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly phones: OwnedPhones,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly accessChanges: UserAccessChanges,
  ) {}

  /** Unique violations as the domain errors the API reports. */
  private uniqueErrors() {
    return {
      [USERNAME_UNIQUE]: (value: string | null) => new UsernameTakenError(value),
      [EMAIL_UNIQUE]: (value: string | null) => new EmailTakenError(value),
      ...this.phones.takenError(USER_PHONES),
    };
  }

  async list(query: PageQueryDto): Promise<Page<UserDto>> {
    // Alias "u": `user` is an SQL keyword (CURRENT_USER) in hand-written conditions.
    const { rows, total } = await this.phones.page(
      USER_PHONES,
      this.users,
      { alias: 'u', textCondition: 'u.username ILIKE :pattern OR u.email ILIKE :pattern OR u.first_name ILIKE :pattern OR u.last_name ILIKE :pattern', order: ['u.username'] },
      query.q?.trim(),
      query,
    );
    return { items: rows.map(toUserDto), total, page: query.page, limit: query.limit };
  }

  /**
   * Active users as colleagues see them (names, extensions, presence): an operator picking
   * whom to call or transfer to needs no emails, roles or private numbers. Searches the
   * names and extensions only, so nothing hidden can be probed through q either.
   */
  async directory(query: PageQueryDto): Promise<Page<UserDirectoryEntryDto>> {
    const text = query.q?.trim();
    const values: unknown[] = [text ? likePattern(text) : null];
    const where = `u.active AND ($1::text IS NULL OR u.username ILIKE $1 OR u.first_name ILIKE $1 OR u.last_name ILIKE $1
      OR EXISTS (SELECT 1 FROM user_phones x WHERE x.user_id = u.id AND x.phone_type = 'extension' AND x.phone_number ILIKE $1))`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM users u WHERE ${where}`, values);
    const rows = await this.dataSource.query<Array<{ id: number; username: string; first_name: string | null; last_name: string | null; status: UserStatus; extensions: string[] }>>(
      `SELECT u.id, u.username, u.first_name, u.last_name, u.status,
              COALESCE(array_agg(p.phone_number ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL), '{}') AS extensions
       FROM users u LEFT JOIN user_phones p ON p.user_id = u.id AND p.phone_type = 'extension'
       WHERE ${where}
       GROUP BY u.id ORDER BY u.username OFFSET $2 LIMIT $3`,
      [...values, query.offset, query.limit],
    );
    const items = rows.map((r) => ({ id: r.id, username: r.username, firstName: r.first_name, lastName: r.last_name, extensions: r.extensions, status: r.status }));
    return { items, total, page: query.page, limit: query.limit };
  }

  async get(id: number): Promise<UserDto> {
    return toUserDto(await this.load(id));
  }

  async create(input: CreateUserDto, actor: Actor): Promise<UserDto> {
    const phones = this.preparePhones(input.phones ?? []);
    const passwordHash = await this.hasher.hash(input.password);
    const id = await this.dataSource
      .transaction(async (manager) => {
        const user = await manager.save(
          manager.create(User, {
            username: input.username,
            email: input.email,
            passwordHash,
            firstName: input.firstName ?? null,
            lastName: input.lastName ?? null,
            role: input.role ?? 'operator',
            active: input.active ?? true,
          }),
        );
        await this.phones.insert(manager, USER_PHONES, user.id, phones);
        return user.id;
      })
      .catch((error: unknown) => rethrowUniqueViolation(error, this.uniqueErrors()));
    await this.audit.record(actor, { action: 'user.create', target: `user:${id}`, details: { username: input.username, role: input.role ?? 'operator' } });
    return this.get(id);
  }

  async update(id: number, input: UpdateUserDto, actor: Actor): Promise<UserDto> {
    const user = await this.load(id);
    const phones = input.phones ? this.preparePhones(input.phones) : null;
    const losesAdmin = (input.role !== undefined && input.role !== 'admin') || input.active === false;
    if (user.role === 'admin' && user.active && losesAdmin) await this.assertAnotherAdmin(id);
    const changes: QueryDeepPartialEntity<User> = {
      ...(input.username !== undefined && { username: input.username }),
      ...(input.email !== undefined && { email: input.email }),
      ...(input.firstName !== undefined && { firstName: input.firstName }),
      ...(input.lastName !== undefined && { lastName: input.lastName }),
      ...(input.role !== undefined && { role: input.role }),
      ...(input.active !== undefined && { active: input.active }),
      ...(input.password !== undefined && { passwordHash: await this.hasher.hash(input.password) }),
      // A new password ends the sessions of the old one: whoever held a token may have held the password.
      ...(input.password !== undefined && { tokenVersion: () => 'token_version + 1' }),
    };
    await this.dataSource
      .transaction(async (manager) => {
        if (Object.keys(changes).length > 0) await manager.update(User, { id }, changes);
        if (phones) await this.phones.replace(manager, USER_PHONES, id, phones);
      })
      .catch((error: unknown) => rethrowUniqueViolation(error, this.uniqueErrors()));
    // Field names only: the values may include a password.
    await this.audit.record(actor, { action: 'user.update', target: `user:${id}`, details: { fields: Object.keys(input) } });
    const reason: UserAccessChangeReason | null =
      user.active && input.active === false
        ? 'deactivated'
        : input.password !== undefined
          ? 'sessions_revoked'
          : input.role !== undefined && input.role !== user.role
            ? 'role_changed'
            : null;
    if (reason) this.accessChanges.publish({ userId: id, reason });
    return this.get(id);
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const user = await this.load(id);
    if (user.role === 'admin' && user.active) await this.assertAnotherAdmin(id);
    await this.users.delete({ id });
    await this.audit.record(actor, { action: 'user.delete', target: `user:${id}`, details: { username: user.username } });
    this.accessChanges.publish({ userId: id, reason: 'deleted' });
  }

  /** The user with the password hash, for login only. */
  findForLogin(username: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .addSelect('u.tokenVersion')
      .where('u.username = :username', { username: username.trim().toLowerCase() })
      .getOne();
  }

  /** Who a token's subject is now, whether the account is still switched on, and which tokens are still good. */
  async findAuthUser(id: number): Promise<AuthUserState | null> {
    return (await this.findAuthUsers([id]))[0] ?? null;
  }

  /** Who each of these users is now (missing ids: deleted), for sessions that outlive a request. */
  async findAuthUsers(ids: number[]): Promise<AuthUserState[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query(`SELECT id, username, role, active, token_version AS "tokenVersion" FROM users WHERE id = ANY($1::int[])`, [ids]);
  }

  /**
   * Ends every session of the user: tokens issued until now are refused (TOKEN_REVOKED) and
   * live connections are closed. A logout, and a password change (see update).
   */
  async revokeSessions(id: number): Promise<void> {
    await this.dataSource.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [id]);
    this.accessChanges.publish({ userId: id, reason: 'sessions_revoked' });
  }

  /** Names of these users, as a popup shows them. */
  async cards(ids: number[]): Promise<UserCard[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.query<Array<{ id: number; username: string; full_name: string | null }>>(
      `SELECT id, username, NULLIF(concat_ws(' ', first_name, last_name), '') AS full_name FROM users WHERE id = ANY($1::int[])`,
      [ids],
    );
    return rows.map((r) => ({ id: String(r.id), username: r.username, fullName: r.full_name }));
  }

  /** The user's extensions, as the PBX names their phones (their digits), oldest first. */
  async extensionsOf(userId: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ normalized_number: string }>>(
      `SELECT normalized_number FROM user_phones WHERE user_id = $1 AND phone_type = 'extension' ORDER BY id`,
      [userId],
    );
    return rows.map((r) => r.normalized_number);
  }

  /** The active user owning an extension, or null (no such extension in the CRM, or its user is switched off). */
  async extensionOwner(extension: string): Promise<number | null> {
    const [row] = await this.dataSource.query<Array<{ user_id: number }>>(
      `SELECT p.user_id FROM user_phones p JOIN users u ON u.id = p.user_id WHERE p.normalized_number = $1 AND p.phone_type = 'extension' AND u.active`,
      [extension],
    );
    return row?.user_id ?? null;
  }

  /** Whether the user exists and is switched on. */
  async isActive(userId: number): Promise<boolean> {
    return (await this.users.count({ where: { id: userId, active: true } })) > 0;
  }

  /** Every user phone and extension with its owner, for the calls directory. */
  phoneOwners(): Promise<PhoneOwnership[]> {
    return this.phones.owners(this.dataSource, USER_PHONES);
  }

  async adminExists(): Promise<boolean> {
    return (await this.users.count({ where: { role: 'admin' } })) > 0;
  }

  private async load(id: number): Promise<User> {
    const user = await this.users.findOne({ where: { id }, relations: { phones: true }, order: { phones: { id: 'ASC' } } });
    if (!user) throw new NotFoundError('User', id);
    return user;
  }

  private async assertAnotherAdmin(exceptId: number): Promise<void> {
    const admins = await this.users.createQueryBuilder('u').where("u.role = 'admin' AND u.active").andWhere('u.id <> :id', { id: exceptId }).getCount();
    if (admins === 0) throw new LastAdminError();
  }

  private preparePhones(phones: UserPhoneInputDto[]): PhoneRow[] {
    return this.phones.prepare(phones, (index) => `phones.${index}.phoneNumber`, 'is not a phone number or extension');
  }
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    status: user.status,
    active: user.active,
    phones: (user.phones ?? []).map((phone) => ({
      id: phone.id,
      phoneNumber: phone.phoneNumber,
      phoneType: phone.phoneType,
      normalizedNumber: phone.normalizedNumber,
    })),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
