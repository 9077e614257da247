import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { readLock } from '../native/artifacts.js';
import { stackPaths } from '../native/paths.js';
import { readStackVersions } from '../native/versions.js';
import { connectPluginsSha256, connectWorkerConfig, initFilePaths } from './init-files.js';
import { postgresInitSql } from './postgres-init.js';

// Maintainers: `npx tsx infra/src/docker/write-init-files.ts` rewrites the generated files under infra/docker/.
const lock = await readLock(stackPaths().artifactsLock);
writeFileSync(join(repoRoot, initFilePaths.connectPluginsSha256), connectPluginsSha256(lock, readStackVersions()));
writeFileSync(join(repoRoot, initFilePaths.connectWorkerConfig), connectWorkerConfig());
writeFileSync(join(repoRoot, 'infra/docker/postgres-init.sql'), postgresInitSql());
console.log('infra/docker: connect-plugins.sha256, connect/connect-distributed.properties and postgres-init.sql written');
