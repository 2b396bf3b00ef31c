export * from './web.module';
export { ensureWebBuild, WEB_DIST_DIR } from './web-build';
