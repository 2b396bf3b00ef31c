import { AuditLog } from '../audit/entities/audit-log.entity';
import { CallEvent } from '../calls/entities/call-event.entity';
import { Call } from '../calls/entities/call.entity';
import { CallKey } from '../calls/entities/call-key.entity';
import { CompanyPhone } from '../companies/entities/company-phone.entity';
import { Company } from '../companies/entities/company.entity';
import { Recording } from '../recordings/entities/recording.entity';
import { UserPhone } from '../users/entities/user-phone.entity';
import { User } from '../users/entities/user.entity';

/** Every entity of the schema; the migrations create exactly these tables. */
export const ENTITIES = [User, UserPhone, Company, CompanyPhone, CallKey, Call, CallEvent, Recording, AuditLog];
