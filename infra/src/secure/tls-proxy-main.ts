/**
 * The secured stack's TLS proxy as a process (started by `stack:up -- --secure`, pid file tls-proxy):
 *
 *   WORKSHOP_ENV_FILE=.stack/secure/env tsx infra/src/secure/tls-proxy-main.ts
 *
 * One line when listening, one when stopped; never a request's content.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@workshop/shared';
import { runCommand } from '@workshop/shared/terminal';
import { secureCertificatePaths } from './certificates.js';
import { secureStackPaths } from './layout.js';
import { listenTlsProxies, secureStackRoutes } from './tls-proxy.js';

async function main(): Promise<void> {
  const paths = secureStackPaths();
  const certs = secureCertificatePaths(paths.certsDir);
  const routes = secureStackRoutes(loadConfig({ envFile: paths.envFile }));
  const servers = await listenTlsProxies(routes, {
    cert: readFileSync(certs.serverCertFile, 'utf8'),
    key: readFileSync(certs.serverKeyFile, 'utf8'),
  });
  console.log(
    `tls-proxy listening: ${routes.map((r) => `${r.name} https://${r.listenHost ?? '127.0.0.1'}:${r.listenPort} → http://127.0.0.1:${r.backendPort}${r.basicAuth ? ' (Basic auth)' : ''}`).join('; ')}`,
  );
  const stop = (signal: NodeJS.Signals) => {
    for (const server of servers) server.close();
    // Open keep-alive connections would hold the process: the stack is stopping, so cut them.
    for (const server of servers) server.closeAllConnections();
    console.log(`tls-proxy stopped (${signal})`);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

runCommand(main);
