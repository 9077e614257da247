import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ClickHouseHttpError } from './errors.js';

/**
 * Who may talk to the endpoint. A real ClickHouse with a password on `default` refuses a request without
 * it; this one does the same, and also refuses what a real server would happily run but a laptop must not:
 * requests sent by a web page open in the browser (a text/plain POST needs no CORS preflight, an <img>
 * needs nothing at all) and requests whose Host is not this machine (DNS rebinding).
 */

export interface ClickHouseHttpUser {
  name: string;
  password: string;
  /** A reader (dashboards): readonly=2 on every request, which no setting can lift. */
  readonly?: boolean;
}

/** Where a client may put credentials, as ClickHouse reads them (Basic auth, X-ClickHouse-* headers, URL). */
function credentialsOf(req: IncomingMessage, search: URLSearchParams): { name: string; password: string } {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { name: decoded, password: '' } : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') {
    const key = req.headers['x-clickhouse-key'];
    return { name: headerUser, password: typeof key === 'string' ? key : '' };
  }
  return { name: search.get('user') || 'default', password: search.get('password') ?? '' };
}

function sameSecret(given: string, expected: string): boolean {
  // Digests first: timingSafeEqual needs equal lengths, and the length of the password must not leak either.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** ClickHouse's own words (without its hints about server config files, which do not exist here). */
export function authenticate(req: IncomingMessage, search: URLSearchParams, users: readonly ClickHouseHttpUser[]): ClickHouseHttpUser {
  const { name, password } = credentialsOf(req, search);
  const user = users.find((candidate) => candidate.name === name);
  // Compare even for an unknown name, so an unknown user and a wrong password take the same time.
  const matches = sameSecret(password, user?.password ?? '\0no such user');
  if (!user || !matches) {
    throw new ClickHouseHttpError(
      403,
      516,
      `Code: 516. DB::Exception: ${name}: Authentication failed: password is incorrect, or there is no user with such name.\n\n` +
        "The kit generated the local stack's password (.stack/secrets/clickhouse-password); createClickHouse(config) sends it.\n\n" +
        '. (AUTHENTICATION_FAILED)',
    );
  }
  return user;
}

/**
 * Browsers mark what a page sends: `Origin` on every POST and cross-origin request, `Sec-Fetch-Site` on every
 * request since 2020 ("none" only when the person typed the address). Node clients, curl and Grafana's
 * backend send neither. No page of this endpoint is served to a browser, so nothing legitimate is lost.
 */
export function refuseBrowserRequests(req: IncomingMessage): void {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined || (site !== undefined && site !== 'none')) {
    throw new ClickHouseHttpError(
      403,
      497,
      `Code: 497. DB::Exception: requests from web pages are refused (Origin: ${origin ?? '-'}, Sec-Fetch-Site: ${site ?? '-'}): ` +
        'the local ClickHouse answers programs on this machine, not pages open in a browser. (ACCESS_DENIED)',
    );
  }
}

const loopbackNames = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A Host that is not this machine means a name was rebound to 127.0.0.1 by someone's DNS: refuse. */
export function refuseForeignHost(req: IncomingMessage, boundHost: string): void {
  const host = req.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  if (loopbackNames.has(name) || name === boundHost || `[${boundHost}]` === name) return;
  throw new ClickHouseHttpError(
    403,
    497,
    `Code: 497. DB::Exception: Host ${JSON.stringify(host)} is not this machine: use http://127.0.0.1 (a name that resolves ` +
      "here from someone else's DNS is how a web page reaches a local server). (ACCESS_DENIED)",
  );
}
