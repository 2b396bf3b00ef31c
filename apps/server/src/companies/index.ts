export * from './companies.module';
export * from './companies.service';
export * from './entities/company.entity';
export * from './entities/company-phone.entity';
export { CompanyDto } from './dto/company.dto';
export * from './companies.errors';
export { CreateCompanyDto } from './dto/create-company.dto';
