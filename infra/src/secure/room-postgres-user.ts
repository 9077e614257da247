import pg from 'pg';
import { createPostgresPool, type WorkshopConfig } from '@workshop/shared';
import { secureStackUsers } from './layout.js';

/**
 * The room's PostgreSQL user (npm run room): what participants log in as instead of the superuser, who could run
 * programs on the presenter's laptop (COPY … PROGRAM) and read the presenter's tables. It may connect to the workshop
 * database and make schemas there — each participant's namespace is a schema she makes on first use and then owns — and
 * nothing else: no superuser, no database or role of its own. Made or brought up to date (its password) at each room's
 * start, by the superuser, from this machine.
 */
export async function ensureRoomPostgresUser(config: WorkshopConfig, password: string): Promise<void> {
  const admin = createPostgresPool(config, { max: 1 });
  const role = pg.escapeIdentifier(secureStackUsers.postgresRoom);
  try {
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [secureStackUsers.postgresRoom]);
    const attributes = `LOGIN PASSWORD ${pg.escapeLiteral(password)} NOSUPERUSER NOCREATEDB NOCREATEROLE`;
    await admin.query(exists.rowCount === 0 ? `CREATE ROLE ${role} ${attributes}` : `ALTER ROLE ${role} ${attributes}`);
    await admin.query(`GRANT CONNECT, CREATE ON DATABASE ${pg.escapeIdentifier(config.postgres.database)} TO ${role}`);
  } finally {
    await admin.end();
  }
}
