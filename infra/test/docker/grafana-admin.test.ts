import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { grafanaAdminPasswordOnce } from '../../src/docker/grafana-admin.js';

it("shows Grafana's generated admin password after the first docker stack:up, and never again", () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  expect(grafanaAdminPasswordOnce(dir), 'no secret yet: nothing to show').toBeUndefined();
  writeFileSync(join(dir, 'grafana-admin-password'), 's3cret-Xy\n');
  expect(grafanaAdminPasswordOnce(dir)).toMatch(
    /^Grafana admin password \(shown this once; kept in .*grafana-admin-password\): s3cret-Xy$/,
  );
  expect(grafanaAdminPasswordOnce(dir), 'the second stack:up').toBeUndefined();
});
