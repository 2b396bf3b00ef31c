import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesController } from './companies.controller';
import { CompaniesService } from './companies.service';
import { CompanyImportService } from './company-import.service';
import { CompanyPhone } from './entities/company-phone.entity';
import { Company } from './entities/company.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Company, CompanyPhone])],
  controllers: [CompaniesController],
  providers: [CompaniesService, CompanyImportService],
  exports: [CompaniesService],
})
export class CompaniesModule {}
