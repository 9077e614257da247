import { parseConfig } from '@workshop/shared';
import { describe, expect, it } from 'vitest';
import { connectWorkerProperties, kafkaServerProperties } from '../../src/native/service-configs.js';
import { type ComposeFile, loadComposeDocument, parsePort } from './compose-file.js';

// Issue 14: WORKSHOP_BIND=0.0.0.0, documented "for the room", published every Docker service — PostgreSQL with trust,
// ClickHouse, Connect's REST API, Grafana with admin/admin. Now one setting, WORKSHOP_ROOM_BIND, opens only what the
// room should see: the button app and Grafana (read-only). Everything else stays on 127.0.0.1 whatever is set.

const roomAddress = '0.0.0.0';

describe('the room bind opens the button app and Grafana, nothing else', () => {
  it('on Docker: only Grafana is published off loopback; every other service stays on 127.0.0.1', () => {
    const env = { WORKSHOP_ROOM_BIND: roomAddress, WORKSHOP_BIND: roomAddress };
    const compose = loadComposeDocument(undefined, env) as ComposeFile;
    const published = Object.entries(compose.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((spec) => ({ name, host: parsePort(String(spec)).host })),
    );
    expect(published.filter(({ host }) => host !== '127.0.0.1')).toEqual([{ name: 'grafana', host: roomAddress }]);
  });

  it('on Docker: Grafana has a generated admin password, no sign-up, anonymous viewers, a read-only ClickHouse user', () => {
    const grafana = (loadComposeDocument(undefined, {}) as ComposeFile).services.grafana;
    const environment = grafana?.environment as Record<string, string>;
    expect(environment.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana-admin-password');
    expect(environment.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
    expect(environment.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(environment.WORKSHOP_CLICKHOUSE_USER).toBe('grafana_reader');
  });

  it('natively and for npm start: the button app listens on the room address, the services on 127.0.0.1', () => {
    const config = parseConfig({ WORKSHOP_ROOM_BIND: roomAddress });
    expect(config.buttonApp.host).toBe(roomAddress);
    expect(config.roomBind).toBe(roomAddress);
    expect(parseConfig({}).buttonApp.host).toBe('127.0.0.1');
    const kafka = kafkaServerProperties({ dataDir: '/tmp/x' });
    expect(kafka).toMatch(/^listeners=PLAINTEXT:\/\/127\.0\.0\.1:\d+,CONTROLLER:\/\/127\.0\.0\.1:\d+$/m);
    const connect = connectWorkerProperties({ pluginPath: [], registryApiUrl: 'http://127.0.0.1:8081', dataDir: '/tmp/x' });
    expect(connect).toMatch(/^listeners=http:\/\/127\.0\.0\.1:\d+$/m);
  });
});
