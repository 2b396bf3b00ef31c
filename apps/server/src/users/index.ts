export * from './users.module';
export * from './users.service';
export * from './password-hasher';
export * from './user-access-changes';
export * from './user-presence.service';
export * from './entities/user.entity';
export * from './entities/user-phone.entity';
export { UserDto } from './dto/user.dto';
