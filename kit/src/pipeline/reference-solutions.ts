/**
 * The live pipeline is the workshop's reference solutions, run together — imported from solutions/, never
 * copied, so what the presenter shows live is exactly what the steps' tests prove.
 */
export { openGeoLookup } from '../../../solutions/01-fake-data/src/geo.js';
export { generateVisits } from '../../../solutions/01-fake-data/src/visits.js';
export { loadButtonPressSchema } from '../../../solutions/04-avro/src/schema.js';
export { registerSchema, valueSubject } from '../../../solutions/04-avro/src/registry.js';
export { ensureTopic, produceVisits } from '../../../solutions/04-avro/src/produce.js';
export { createButtonPressesTable } from '../../../solutions/05-postgres-sink/src/table.js';
export { postgresSinkConfig } from '../../../solutions/05-postgres-sink/src/sink-config.js';
export { deployPostgresSink, waitForConnectorRunning } from '../../../solutions/05-postgres-sink/src/connector.js';
export { createEventTable, createPressesPerMinute } from '../../../solutions/06-clickhouse/src/tables.js';
export { runSink, type RunningSink } from '../../../solutions/06-clickhouse/src/sink.js';
export { startButtonApp, type RunningButtonApp } from '../../../solutions/08-button-app/src/server.js';
