import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserPhone } from './entities/user-phone.entity';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UserAccessChanges } from './user-access-changes';
import { UserPresenceService } from './user-presence.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserPhone])],
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher, UserAccessChanges, UserPresenceService],
  exports: [UsersService, PasswordHasher, UserAccessChanges, UserPresenceService],
})
export class UsersModule {}
