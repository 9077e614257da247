import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';

export interface StackVersions {
  kafka: string;
  log4j: string;
  debeziumJdbc: string;
  apicurio: string;
  chdb: string;
  postgresMajor: string;
}

/** Reads infra/stack-versions.json, the one place the stack's versions are pinned. */
export function readStackVersions(): StackVersions {
  const raw = JSON.parse(readFileSync(join(repoRoot, 'infra/stack-versions.json'), 'utf8')) as Record<string, string>;
  const keys = ['kafka', 'log4j', 'debeziumJdbc', 'apicurio', 'chdb', 'postgresMajor'] as const;
  for (const key of keys) {
    if (typeof raw[key] !== 'string') throw new Error(`infra/stack-versions.json: "${key}" is missing`);
  }
  return raw as unknown as StackVersions;
}
