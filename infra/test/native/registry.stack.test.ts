import { describe, expect, it } from 'vitest';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry, loadConfig } from '@workshop/shared';
import { uniqueName } from '@workshop/shared/testing';

// Native-stack smoke: Apicurio's Confluent-compatible API with @kafkajs/confluent-schema-registry, unchanged.
const config = loadConfig();

describe('schema registry (native stack)', () => {
  it('registers an Avro schema, encodes in Confluent wire format and decodes back via the registry', async () => {
    const registry = createSchemaRegistry(config);
    const subject = `${uniqueName('smoke_registry')}-value`;
    const schema = {
      type: 'record',
      name: 'Smoke',
      namespace: 'workshop.smoke',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
    const at = new Date('2026-11-22T12:34:56.789Z');
    const encoded = await registry.encode(id, { id: 'x', at });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);

    // A fresh client has no cache: decoding must fetch the schema by id from the server.
    const decoded = await createSchemaRegistry(config).decode(encoded);
    expect(decoded).toEqual({ id: 'x', at });

    // Registering again is idempotent (same id); the subject is listed.
    const again = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
    expect(again.id).toBe(id);
    const subjects = (await (await fetch(`${config.schemaRegistry.url}/subjects`)).json()) as string[];
    expect(subjects).toContain(subject);

    await fetch(`${config.schemaRegistry.url}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${config.schemaRegistry.url}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  });
});
