import { Module } from '@nestjs/common';
import { PgTimeZones } from '../database';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({ controllers: [StatsController], providers: [StatsService, PgTimeZones] })
export class StatsModule {}
