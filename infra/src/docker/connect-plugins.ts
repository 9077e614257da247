import { connectWorkerProperties } from '../native/service-configs.js';
import { composeNetwork } from './compose-network.js';

/**
 * The docker stack's Connect runs the very plugins the native stack runs — the Debezium JDBC sink and Apicurio's Avro
 * converter, fetched from Maven Central and checked against infra/native/artifacts.lock.json by the init service
 * connect-plugins (infra/docker/connect-plugins.sh) — with the same generated worker config, but for container host
 * names (committed as infra/docker/connect/connect-distributed.properties: infra/src/docker/init-files.ts).
 */

/** The two artifact components that are Connect plugins (ids of infra/src/native/artifacts.ts). */
export const connectPluginComponentIds = ['debezium-jdbc', 'apicurio-converter'] as const;

/** The native generator, pointed at the compose network. */
export function dockerConnectWorkerProperties(): string {
  return connectWorkerProperties({
    pluginPath: [composeNetwork.containerPluginPath],
    registryApiUrl: composeNetwork.registryApiUrl,
    dataDir: '/var/lib/kafka/data',
    network: { bootstrapServers: composeNetwork.kafkaInternalBootstrap, listenHost: '0.0.0.0', advertisedHost: composeNetwork.connectHost },
  });
}
