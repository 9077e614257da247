import { defaultPorts } from '@workshop/shared';
import { schemaRegistryDatabase } from './postgres-init.js';

/**
 * How the docker stack's containers reach each other (service names of docker-compose.yml, ports inside the
 * compose network). The host reaches them on 127.0.0.1 at the native stack's ports (defaultPorts), or the
 * WORKSHOP_*_PORT overrides. infra/test/docker/compose.test.ts checks docker-compose.yml against these values.
 */
export const composeNetwork = {
  /** Kafka's second listener, for containers (the first, 127.0.0.1:9092, is for the host). */
  kafkaInternalPort: 19092,
  kafkaInternalBootstrap: 'kafka:19092',
  /** Apicurio 2.x listens on 8080 in its image; published on the host as defaultPorts.schemaRegistry. */
  registryContainerPort: 8080,
  registryApiUrl: 'http://schema-registry:8080/apis/registry/v2',
  connectHost: 'connect',
  /** Where connect-postgres-link forwards Connect's 127.0.0.1:<PostgreSQL host port> to. */
  postgresAddress: `postgres:${defaultPorts.postgres}`,
  registryDatasourceUrl: `jdbc:postgresql://postgres:${defaultPorts.postgres}/${schemaRegistryDatabase}`,
  /** Where the Connect container mounts the plugins volume that connect-plugins fills. */
  containerPluginPath: '/opt/workshop/connect-plugins',
  containerConnectConfigDir: '/etc/workshop/connect',
  connectWorkerConfigFile: 'connect-distributed.properties',
} as const;
