export {
  activeParticipant,
  defaultNames,
  isValidParticipant,
  namesFor,
  participantFromEnv,
  participantVariable,
  validateParticipant,
  workshopTopicsOf,
  type WorkshopNames,
} from './names.js';
export {
  workshopNames,
  workshopTopics,
  roomProgressTopic,
  defaultPorts,
  hostPortVariables,
  apicurioConfluentApiPath,
  type ServiceName,
} from './names.js';
export { KitError, isKitError, type KitErrorDetails } from './errors.js';
export {
  ensureGeneratedSecrets,
  ensureLocalSecrets,
  loadConfig,
  localSecretNames,
  localSecretsDir,
  parseConfig,
  type LocalSecretName,
  type TlsFiles,
  type WorkshopConfig,
} from './config.js';
export { readJsonFile, parseJsonFile, type JsonFileOptions } from './json-file.js';
export { createKafka, kafkaClientConfig, createSchemaRegistry, createPostgresPool, createClickHouse, basicAuthHeaders } from './clients.js';
export {
  createConnectRestClient,
  type ConnectRestClient,
  type ConnectorStatus,
  type ConnectorPlugin,
} from './connect-rest.js';
export {
  aivenConnectPlugins,
  aivenJdbcSinkClass,
  confluentAvroConverterClass,
  debeziumJdbcSinkClass,
  toAivenJdbcSinkConfig,
  withoutKitTransforms,
  withSslModeRequire,
} from './aiven-jdbc-sink.js';
export { avroLogicalTypes } from './avro-logical-types.js';
export {
  buttonActions,
  unknownCountry,
  buttonPressSchemaPath,
  readButtonPressSchema,
  type ButtonAction,
  type ButtonPressEvent,
} from './event.js';
export {
  sampleVisit,
  sampleVisits,
  seededSampleVisits,
  samplePlaces,
  type Place,
  type VisitPlan,
  type SeededVisitOptions,
} from './sample-visits.js';
export { ensureAvroTopic, registerButtonPressSchema, produceAvroVisits } from './avro-visits.js';
export {
  deadLetterHeaderNames,
  deadLetterHeaders,
  deadLetterStages,
  readDeadLetterContext,
  type DeadLetterContext,
  type DeadLetterInfo,
  type DeadLetterStage,
} from './dead-letters.js';
