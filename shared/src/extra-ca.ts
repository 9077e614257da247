import { readFileSync } from 'node:fs';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';

/**
 * WORKSHOP_CA_FILE: a CA this process trusts besides the system's, for the HTTPS clients that take no CA of their own
 * from the config (the registry's, Connect's fetch, ClickHouse's). A room's stack (`npm run join`) has certificates made
 * by the presenter's kit, not by a public CA; NODE_EXTRA_CA_CERTS would do it, but Node reads it only from the shell at
 * start-up, never from `.env`. Kafka and PostgreSQL get their CA file explicitly (KAFKA_SSL_CA_FILE, PGSSL_CA_FILE).
 */
const trusted = new Set<string>();

export function trustCaFile(file: string): void {
  if (trusted.has(file)) return;
  setDefaultCACertificates([...getCACertificates('default'), readFileSync(file, 'utf8')]);
  trusted.add(file);
}
