import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { Authenticator } from './authenticator';
import { FirstAdmin } from './first-admin';
import { JwtAuthGuard } from './jwt-auth.guard';
import { resolveJwtSecret } from './jwt-secret';
import { LOGIN_IP_THROTTLER, LOGIN_THROTTLER, trackClientAddress } from './login-throttler.guard';
import { RolesGuard } from './roles.guard';
import { SignedUrls } from './signed-urls';

@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Auth');
        return {
          secret: resolveJwtSecret(config, (message) => logger.warn(message)),
          signOptions: { algorithm: 'HS256', expiresIn: config.jwtExpiresInSeconds },
          verifyOptions: { algorithms: ['HS256'] },
        };
      },
    }),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [
          { name: LOGIN_THROTTLER, ttl: 60_000, limit: config.LOGIN_RATE_LIMIT },
          { name: LOGIN_IP_THROTTLER, ttl: 60_000, limit: config.LOGIN_RATE_LIMIT_PER_IP, getTracker: trackClientAddress },
        ],
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    Authenticator,
    FirstAdmin,
    SignedUrls,
    // Order matters: authentication first, then the role check.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [JwtModule, Authenticator, SignedUrls],
})
export class AuthModule {}
