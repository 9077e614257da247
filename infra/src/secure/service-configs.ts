import { connectWorkerProperties, kafkaServerProperties } from '../native/service-configs.js';
import type { SecureCertificates } from './certificates.js';
import { secureStackPorts as ports } from './layout.js';

/**
 * The secured stack's Kafka and Connect configuration: the plain stack's files (native/service-configs.ts), so every
 * other setting stays the same, with the addresses and the security settings replaced or added.
 */

/** `base` with each key's line replaced (in place) or, when the file has no such key, appended. */
export function withProperties(base: string, overrides: Record<string, string>): string {
  const remaining = new Map(Object.entries(overrides));
  const lines = base.split('\n').map((line) => {
    const key = /^([^#\s=][^=]*)=/.exec(line)?.[1]?.trim();
    if (key === undefined || !remaining.has(key)) return line;
    const value = remaining.get(key);
    remaining.delete(key);
    return `${key}=${value}`;
  });
  const added = [...remaining].map(([key, value]) => `${key}=${value}`);
  return `${lines.join('\n').trimEnd()}\n${added.length > 0 ? `# Secured stack (infra/src/secure/service-configs.ts)\n${added.join('\n')}\n` : ''}`;
}

/** A JVM client's TLS settings: trust the kit's CA, present the client certificate. */
function clientTls(certs: SecureCertificates, storePassword: string, prefix = ''): Record<string, string> {
  return {
    [`${prefix}security.protocol`]: 'SSL',
    [`${prefix}ssl.truststore.type`]: 'PKCS12',
    [`${prefix}ssl.truststore.location`]: certs.truststore,
    [`${prefix}ssl.truststore.password`]: storePassword,
    [`${prefix}ssl.keystore.type`]: 'PKCS12',
    [`${prefix}ssl.keystore.location`]: certs.clientKeystore,
    [`${prefix}ssl.keystore.password`]: storePassword,
    [`${prefix}ssl.key.password`]: storePassword,
  };
}

/**
 * One broker, as on the plain stack, but every listener SSL and every client made to show a certificate (as Aiven).
 * `host`: where clients reach it — 127.0.0.1, or the room's address under `npm run room` (one listener per port: Kafka
 * refuses two on 19092, so the presenter's own clients use the room address too). The controller stays on 127.0.0.1.
 */
export function secureKafkaServerProperties(options: {
  dataDir: string;
  certs: SecureCertificates;
  storePassword: string;
  host?: string;
}): string {
  const { certs, storePassword } = options;
  const host = options.host ?? '127.0.0.1';
  return withProperties(kafkaServerProperties({ dataDir: options.dataDir }), {
    'controller.quorum.voters': `1@127.0.0.1:${ports.kafkaController}`,
    listeners: `SSL://${host}:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
    'advertised.listeners': `SSL://${host}:${ports.kafka}`,
    'inter.broker.listener.name': 'SSL',
    'listener.security.protocol.map': 'CONTROLLER:SSL,SSL:SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': certs.brokerKeystore,
    'ssl.keystore.password': storePassword,
    'ssl.key.password': storePassword,
    'ssl.truststore.type': 'PKCS12',
    'ssl.truststore.location': certs.truststore,
    'ssl.truststore.password': storePassword,
    'ssl.client.auth': 'required',
    // Clients check that the broker's certificate names the address they dial (certificates.ts puts it there).
    'ssl.endpoint.identification.algorithm': 'https',
  });
}

/**
 * The worker reaches Kafka over SSL with the client certificate — itself (worker-level keys) and for its connectors'
 * consumers, the dead-letter producer and admin (prefixed keys: Connect does not pass worker security settings on) —
 * and the registry through the TLS proxy with Basic auth, as a cloud worker would.
 */
export function secureConnectWorkerProperties(options: {
  pluginPath: string[];
  dataDir: string;
  certs: SecureCertificates;
  storePassword: string;
  registry: { url: string; username: string; password: string };
  /** Kafka's address (secureKafkaServerProperties' host); Connect's REST API stays on 127.0.0.1 behind the proxy. */
  kafkaHost?: string;
}): string {
  const { certs, storePassword, registry } = options;
  const base = connectWorkerProperties({
    pluginPath: options.pluginPath,
    registryApiUrl: registry.url,
    dataDir: options.dataDir,
    network: {
      bootstrapServers: `${options.kafkaHost ?? '127.0.0.1'}:${ports.kafka}`,
      listenHost: '127.0.0.1',
      advertisedHost: '127.0.0.1',
    },
  });
  return withProperties(base, {
    // Plain HTTP on the backend port; clients come through the TLS proxy's front (ports.connect).
    listeners: `http://127.0.0.1:${ports.connectBackend}`,
    'rest.advertised.port': String(ports.connectBackend),
    ...clientTls(certs, storePassword),
    ...clientTls(certs, storePassword, 'producer.'),
    ...clientTls(certs, storePassword, 'consumer.'),
    ...clientTls(certs, storePassword, 'admin.'),
    // Apicurio's serde client (SerdeConfig / its JDK HTTP client): Basic auth and a truststore for the registry's TLS.
    'value.converter.apicurio.auth.username': registry.username,
    'value.converter.apicurio.auth.password': registry.password,
    'value.converter.apicurio.registry.request.ssl.truststore.location': certs.truststore,
    'value.converter.apicurio.registry.request.ssl.truststore.type': 'PKCS12',
    'value.converter.apicurio.registry.request.ssl.truststore.password': storePassword,
  });
}
