import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The zone names this PostgreSQL knows (`pg_timezone_names`), read once per process. Node's
 * ICU and PostgreSQL's tzdata disagree at the edges (`US/Pacific-New` is gone from one and
 * still in the other), and a zone only Node knows fails the query that buckets by it.
 */
@Injectable()
export class PgTimeZones {
  private names: Promise<Set<string>> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async knows(zone: string): Promise<boolean> {
    this.names ??= this.load();
    try {
      return (await this.names).has(zone);
    } catch (error) {
      this.names = null; // read again once the database answers
      throw error;
    }
  }

  private async load(): Promise<Set<string>> {
    const rows = await this.dataSource.query<Array<{ name: string }>>(`SELECT name FROM pg_timezone_names`);
    return new Set(rows.map((row) => row.name));
  }
}
