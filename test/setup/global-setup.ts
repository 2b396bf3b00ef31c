// Placeholder until the database fallback lands: the foundation work replaces this
// with "use DB_* if set, else start embedded PostgreSQL".
export default async function globalSetup(): Promise<void> {}
