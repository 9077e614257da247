/**
 * The Debezium → Aiven JDBC sink translation lives in shared/ (shared/src/aiven-jdbc-sink.ts): the kit's Connect client
 * applies it whenever the config says the stack runs Aiven's sink. Re-exported here for the Aiven profile and status.
 */
export {
  aivenConnectPlugins,
  aivenJdbcSinkClass,
  confluentAvroConverterClass,
  debeziumJdbcSinkClass,
  toAivenJdbcSinkConfig,
  withoutKitTransforms,
  withSslModeRequire,
} from '@workshop/shared';
