// The vocabulary of authentication every controller and gateway uses (who is calling, which
// routes are public, which roles a route needs). The auth context issues and checks the tokens.
export * from './auth-user';
export * from './current-user.decorator';
export * from './public.decorator';
export * from './roles.decorator';
