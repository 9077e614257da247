import { relative } from 'node:path';
import { dashboardUid, writeDashboardFile } from './dashboard.js';

// npm start [file]: writes the dashboard's JSON where Grafana's provisioning reads it (README §5).
const file = writeDashboardFile(process.argv[2]);
console.log(`Wrote ${relative(process.cwd(), file)}.`);
console.log(`The docker stack's Grafana loads it within 10 s: http://127.0.0.1:3000/d/${dashboardUid}`);
