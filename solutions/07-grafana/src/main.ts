import { relative } from 'node:path';
import { loadConfig } from '@workshop/shared';
import { dashboardUid, writeDashboardFile } from './dashboard.js';

// npm start [file]: writes the dashboard's JSON where Grafana's provisioning reads it (README §5).
const file = writeDashboardFile(process.argv[2]);
console.log(`Wrote ${relative(process.cwd(), file)}.`);
// The address from the config: a moved port (WORKSHOP_GRAFANA_PORT) or Aiven's Grafana (GRAFANA_URL) is not 127.0.0.1:3000.
console.log(`The docker stack's Grafana loads it within 10 s: ${loadConfig().grafana.url}/d/${dashboardUid}`);
