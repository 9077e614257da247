import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';

/**
 * The datasources Grafana will have: what grafana/provisioning/datasources/*.yaml provisions (the docker
 * stack mounts that folder into Grafana). A panel can only use a datasource by a uid listed here.
 */

export const provisioningDir = resolve(import.meta.dirname, '../../../../grafana/provisioning');

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  file: string;
}

export function readProvisionedDatasources(dir: string = join(provisioningDir, 'datasources')): ProvisionedDatasource[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) => {
      const parsed = load(readFileSync(join(dir, file), 'utf8')) as { datasources?: Partial<ProvisionedDatasource>[] } | undefined;
      return (parsed?.datasources ?? []).map((datasource) => ({
        name: String(datasource.name ?? ''),
        type: String(datasource.type ?? ''),
        uid: String(datasource.uid ?? ''),
        file: join(dir, file),
      }));
    });
}
