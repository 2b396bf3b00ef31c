import { buildWeb, WEB_DIST_DIR, WEB_SOURCE_DIR } from './web-build';

/** `npm run build:web`: always rebuilds apps/web into dist/web (npm start only builds when missing or stale). */
const started = Date.now();
buildWeb(process.cwd()).then(
  () => console.log(`Built ${WEB_SOURCE_DIR} into ${WEB_DIST_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s`),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
