import 'reflect-metadata';
import { createCliDataSource } from './apps/server/src/database/cli-data-source';

/**
 * The typeorm CLI's data source (`npm run migration:run | migration:revert | migration:generate`).
 * It reads the same environment (and .env) as the server; with no DB_HOST it uses the embedded
 * PostgreSQL in EMBEDDED_PG_DIR.
 */
export default createCliDataSource();
