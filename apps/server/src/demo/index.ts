export * from './demo.module';
export { DEMO_PASSWORD, DEMO_USERS } from './demo-data';
