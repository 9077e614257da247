import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.js';

/**
 * WORKSHOP_CA_FILE (npm run join writes it): whoever loads the config trusts that CA for HTTPS from then on — the
 * registry's, Connect's and ClickHouse's clients take no CA of their own, and NODE_EXTRA_CA_CERTS is never read from .env.
 */
describe('WORKSHOP_CA_FILE', () => {
  it('is optional, and parsed as the CA file to trust', () => {
    expect(parseConfig({}).extraCaFile).toBeUndefined();
    expect(parseConfig({ WORKSHOP_CA_FILE: '/room/ca.pem' }).extraCaFile).toBe('/room/ca.pem');
  });

  it('is trusted by this process once loadConfig has read it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extra-ca-'));
    const caFile = join(dir, 'ca.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=Room CA for a test',
        '-keyout',
        join(dir, 'ca.key'),
        '-out',
        caFile,
      ],
      {
        stdio: 'ignore',
      },
    );
    const ca = (await readFile(caFile, 'utf8')).trim();
    const trusted = () => getCACertificates('default').some((pem) => pem.trim() === ca);
    expect(trusted()).toBe(false);
    loadConfig({ env: { WORKSHOP_CA_FILE: caFile, WORKSHOP_STACK_DIR: join(dir, 'stack') } });
    expect(trusted()).toBe(true);
  });
});
