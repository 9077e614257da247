import { timingSafeEqual } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { WorkshopConfig } from '@workshop/shared';
import { secureStackPorts as ports } from './layout.js';

/**
 * The secured stack's TLS front for services that speak plain HTTP here (Apicurio, Connect's REST API, the ClickHouse
 * HTTP tool): HTTPS on the front port, optionally Basic auth (as Aiven's Karapace and Connect want), then the request
 * as it came to the service on 127.0.0.1. Streams both ways, so long ClickHouse answers are not buffered.
 */

export interface TlsRoute {
  /** For messages and the log: "schema-registry". */
  name: string;
  /** Default 127.0.0.1; the room's address under npm run room. */
  listenHost?: string;
  listenPort: number;
  backendPort: number;
  /** Without it the service checks credentials itself (ClickHouse); with it, the proxy does and the service never sees them. */
  basicAuth?: { username: string; password: string };
  /**
   * Show the service its own address as Host: the ClickHouse tool refuses any Host but this machine's loopback names
   * (DNS rebinding, infra/src/clickhouse-http/access.ts), and under npm run room clients name the room's address.
   */
  backendHost?: boolean;
}

export interface TlsKeyPair {
  cert: string;
  key: string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the request carries the route's credentials; otherwise answers 401 as a Confluent-style registry does. */
function authorised(route: TlsRoute, req: IncomingMessage, res: ServerResponse): boolean {
  if (!route.basicAuth) return true;
  const header = req.headers.authorization ?? '';
  const expected = `Basic ${Buffer.from(`${route.basicAuth.username}:${route.basicAuth.password}`).toString('base64')}`;
  if (sameSecret(header, expected)) return true;
  res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Basic realm="${route.name}"` });
  res.end(
    JSON.stringify({ error_code: 401, message: `Unauthorized: ${route.name} wants Basic auth (the config's username and password)` }),
  );
  return false;
}

export function createTlsProxy(route: TlsRoute, tls: TlsKeyPair): Server {
  return createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (!authorised(route, req, res)) return;
    const headers = { ...req.headers };
    // The service behind has no auth of its own: the credential stops here.
    if (route.basicAuth) delete headers.authorization;
    if (route.backendHost) headers.host = `127.0.0.1:${route.backendPort}`;
    const upstream = httpRequest({ host: '127.0.0.1', port: route.backendPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 502, message: `${route.name} behind the TLS proxy does not answer: ${error.message}` }));
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
}

/** Starts every route; resolves once all listen (each on its listenHost). */
export async function listenTlsProxies(routes: TlsRoute[], tls: TlsKeyPair): Promise<Server[]> {
  return Promise.all(
    routes.map(
      (route) =>
        new Promise<Server>((resolve, reject) => {
          const server = createTlsProxy(route, tls);
          server.once('error', reject);
          server.listen(route.listenPort, route.listenHost ?? '127.0.0.1', () => resolve(server));
        }),
    ),
  );
}

/**
 * The secured stack's fronts: the credentials and the address come from its config (the room's under npm run room),
 * the ports from layout.ts.
 */
export function secureStackRoutes(config: WorkshopConfig): TlsRoute[] {
  const listenHost = new URL(config.connect.url).hostname;
  return [
    {
      name: 'schema-registry',
      listenHost,
      listenPort: ports.schemaRegistry,
      backendPort: ports.schemaRegistryBackend,
      basicAuth: config.schemaRegistry.auth,
    },
    { name: 'connect', listenHost, listenPort: ports.connect, backendPort: ports.connectBackend, basicAuth: config.connect.auth },
    // ClickHouse checks its users itself (X-ClickHouse-User / Basic auth), as a real ClickHouse does behind TLS.
    { name: 'clickhouse', listenHost, listenPort: ports.clickhouseHttp, backendPort: ports.clickhouseBackend, backendHost: true },
  ];
}
