import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * Earlier kits' docker `stack:up` wrote CONNECT_JDBC_URL=jdbc:postgresql://postgres:5432/… into `.env` in a marked
 * block. The docker stack needs nothing in `.env` now (docker-compose.yml's connect-postgres-link), and a native
 * Connect given `postgres:5432` reaches nothing, so the native `stack:up` removes a leftover block. Lines outside the
 * block are the participant's and are never touched.
 */

const begin = '# >>> docker stack (written by npm run stack:up, removed by npm run stack:down)';
const end = '# <<< docker stack';

export function withoutDockerBlock(text: string): string {
  const pattern = new RegExp(`${escapeRegExp(begin)}\\n[\\s\\S]*?${escapeRegExp(end)}\\n?`, 'g');
  return text.replace(pattern, '');
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
