import { PartialType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto';

/** Every field optional; `phones`, when given, replaces the whole list. */
export class UpdateUserDto extends PartialType(CreateUserDto) {}
