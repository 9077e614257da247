import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { composeNetwork } from './compose-network.js';

/**
 * The one setting the docker stack needs in `.env`: CONNECT_JDBC_URL, because Kafka Connect runs in a
 * container and reaches PostgreSQL as `postgres:5432`, not 127.0.0.1 (everything else — ports, names — is
 * the native stack's). `stack:up` writes it in a marked block; `stack:down` and the native `stack:up`
 * remove the block, so a later native stack does not inherit it. Lines outside the block are the
 * participant's and are never touched.
 */

const begin = '# >>> docker stack (written by npm run stack:up, removed by npm run stack:down)';
const end = '# <<< docker stack';

export function dockerEnvBlock(): string {
  return `${begin}\nCONNECT_JDBC_URL=${composeNetwork.connectJdbcUrl}\n${end}\n`;
}

export function withoutDockerBlock(text: string): string {
  const pattern = new RegExp(`${escapeRegExp(begin)}\\n[\\s\\S]*?${escapeRegExp(end)}\\n?`, 'g');
  return text.replace(pattern, '');
}

/** The participant's own CONNECT_JDBC_URL (outside the block), if any: it wins, and we say so. */
export function ownConnectJdbcUrl(text: string): string | undefined {
  const line = withoutDockerBlock(text)
    .split('\n')
    .find((l) => /^\s*CONNECT_JDBC_URL\s*=/.test(l));
  return line?.split('=').slice(1).join('=').trim();
}

export function withDockerBlock(text: string): string {
  const rest = withoutDockerBlock(text);
  const separator = rest === '' || rest.endsWith('\n') ? '' : '\n';
  return `${rest}${separator}${dockerEnvBlock()}`;
}

/** Returns a warning when the participant's .env already sets CONNECT_JDBC_URL to something else. */
export async function writeDockerEnv(envPath: string): Promise<string | undefined> {
  const text = existsSync(envPath) ? await readFile(envPath, 'utf8') : '';
  const own = ownConnectJdbcUrl(text);
  if (own !== undefined) {
    return own === composeNetwork.connectJdbcUrl
      ? undefined
      : `.env sets CONNECT_JDBC_URL=${own}; the docker stack's Connect reaches PostgreSQL at ${composeNetwork.connectJdbcUrl} — left as it is`;
  }
  const next = withDockerBlock(text);
  if (next !== text) await writeFile(envPath, next);
  return undefined;
}

/** True when a block was removed. */
export async function removeDockerEnv(envPath: string): Promise<boolean> {
  if (!existsSync(envPath)) return false;
  const text = await readFile(envPath, 'utf8');
  const next = withoutDockerBlock(text);
  if (next === text) return false;
  await writeFile(envPath, next);
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
