import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Grafana's admin password is generated with the other local secrets (shared/src/config.ts) and shown to the presenter
 * once — after the first docker `stack:up` — and never again: a terminal on a projector should not show it every time.
 * Returns the line to print, or undefined when it was shown before (a marker file beside the secret remembers it).
 */
export function grafanaAdminPasswordOnce(secretsDir: string): string | undefined {
  const secret = join(secretsDir, 'grafana-admin-password');
  const shown = `${secret}.shown`;
  if (!existsSync(secret) || existsSync(shown)) return undefined;
  const password = readFileSync(secret, 'utf8').trim();
  writeFileSync(shown, 'the admin password was shown once after stack:up\n', { mode: 0o600 });
  return `Grafana admin password (shown this once; kept in ${secret}): ${password}`;
}
