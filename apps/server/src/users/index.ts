export * from './users.module';
export * from './users.service';
export * from './password-hasher';
export * from './entities/user.entity';
export * from './entities/user-phone.entity';
export { UserDto } from './dto/user.dto';
