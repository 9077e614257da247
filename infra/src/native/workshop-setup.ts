import pg from 'pg';
import { createPostgresPool, KitError, workshopNames, type WorkshopConfig } from '@workshop/shared';
import { schemaRegistryHeaders } from './probes.js';

/**
 * What the stack prepares for the workshop once its services answer: the PostgreSQL database and its
 * read-only dashboard role, and the registry's default compatibility rule.
 */

/** Creates database `workshop` and the SELECT-only role Grafana uses (idempotent). */
export async function preparePostgres(config: WorkshopConfig): Promise<void> {
  const admin = createPostgresPool(config, { database: 'postgres', max: 1 });
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.postgres.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(config.postgres.database)}`);
    const role = workshopNames.dashboardReadRole;
    const roleExists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (roleExists.rowCount === 0) {
      // Local stacks only: the password is the role's name (Grafana's provisioning says the same).
      await admin.query(
        `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(role)} NOSUPERUSER NOCREATEDB NOCREATEROLE`,
      );
    }
  } finally {
    await admin.end();
  }
  await grantDashboardRead(config);
}

/** Read access for the dashboard role on everything in `public`, now and for tables created later. */
export async function grantDashboardRead(config: WorkshopConfig): Promise<void> {
  const db = createPostgresPool(config, { max: 1 });
  const role = pg.escapeIdentifier(workshopNames.dashboardReadRole);
  try {
    await db.query(`GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(config.postgres.database)} TO ${role}`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`);
  } finally {
    await db.end();
  }
}

/**
 * BACKWARD as the registry-wide default, as on Confluent's and Karapace's registries: a new schema
 * version must be able to read the previous version's data (step 04 teaches evolution against it).
 */
export async function prepareSchemaRegistry(config: WorkshopConfig): Promise<void> {
  const response = await fetch(`${config.schemaRegistry.url}/config`, {
    method: 'PUT',
    // Basic auth where the registry wants it (the secured stack, as Aiven's Karapace).
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...schemaRegistryHeaders(config) },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new KitError(`schema-registry: setting BACKWARD compatibility failed: ${response.status} ${await response.text()}`, {
      hint: 'the registry answers but refused the setting: its log says why (npm run stack:status names it)',
    });
  }
}
