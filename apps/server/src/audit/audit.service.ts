import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isIP } from 'node:net';
import { Repository } from 'typeorm';
import { toStorableText } from '../common/input/safe-text';
import type { Actor } from './actor';
import { AuditLog } from './entities/audit-log.entity';

export interface AuditEntry {
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditLog) private readonly auditLog: Repository<AuditLog>) {}

  /**
   * Appends one entry. A failure to write it is logged, not thrown: the action it describes
   * has already happened and the caller must learn that it succeeded.
   */
  async record(actor: Actor, entry: AuditEntry): Promise<void> {
    try {
      await this.auditLog.save(
        this.auditLog.create({
          userId: actor.userId,
          ip: actor.ip && isIP(actor.ip) ? actor.ip : null,
          // Details often quote what a client sent: never let its text be what loses the entry.
          action: toStorableText(entry.action),
          target: entry.target === undefined ? null : toStorableText(entry.target),
          details: entry.details === undefined ? null : toStorableText(entry.details),
        }),
      );
    } catch (error) {
      this.logger.error(`Could not write audit entry ${entry.action}: ${(error as Error).message}`);
    }
  }
}
