import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isKitError } from '../src/errors.js';
import {
  activeParticipant,
  defaultNames,
  namesFor,
  participantFromEnv,
  participantVariable,
  validateParticipant,
  workshopNames,
  workshopTopicsOf,
} from '../src/names.js';

const saved = { participant: process.env[participantVariable], envFile: process.env.WORKSHOP_ENV_FILE };

afterEach(() => {
  for (const [name, value] of [
    [participantVariable, saved.participant],
    ['WORKSHOP_ENV_FILE', saved.envFile],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function envFileWith(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'names-test-')), '.env');
  writeFileSync(file, content);
  return file;
}

describe('participant namespaces', () => {
  it('without a participant, every name is the workshop’s own', () => {
    expect(namesFor(undefined)).toMatchObject({
      participant: undefined,
      jsonTopic: 'button_presses_json',
      avroTopic: 'button_presses',
      deadLetterTopic: 'button_presses_dlq',
      avroSubject: 'button_presses-value',
      table: 'button_presses',
      pressesPerMinuteView: 'presses_per_country_minute',
      postgresSinkConnector: 'button-presses-postgres-sink',
      database: 'workshop',
      postgresSchema: 'public',
      clickhouseDatabase: 'workshop',
      kafkaPrefix: '',
      topicPartitions: 3,
    });
  });

  it("a participant's topics, subject, connector, schema and database are her own; tables keep their names", () => {
    const alice = namesFor('alice-2');
    expect(alice).toMatchObject({
      participant: 'alice-2',
      jsonTopic: 'alice-2.button_presses_json',
      avroTopic: 'alice-2.button_presses',
      deadLetterTopic: 'alice-2.button_presses_dlq',
      avroSubject: 'alice-2.button_presses-value',
      postgresSinkConnector: 'alice-2.button-presses-postgres-sink',
      postgresSchema: 'workshop_alice_2',
      clickhouseDatabase: 'workshop_alice_2',
      kafkaPrefix: 'alice-2.',
      table: defaultNames.table,
      pressesPerMinuteView: defaultNames.pressesPerMinuteView,
      database: defaultNames.database,
    });
    // TopicNameStrategy holds in every namespace: the subject is <topic>-value.
    expect(alice.avroSubject).toBe(`${alice.avroTopic}-value`);
    const bob = namesFor('bob');
    const kafkaNames = (names: typeof alice) => [...workshopTopicsOf(names), names.avroSubject, names.postgresSinkConnector];
    for (const name of kafkaNames(alice)) {
      expect(kafkaNames(bob)).not.toContain(name);
      expect(kafkaNames(defaultNames)).not.toContain(name);
    }
  });

  it.each(['Alice', 'al_ice', 'al.ice', '-alice', 'a'.repeat(33), 'ålice', 'alice bob'])(
    'refuses %j with a KitError saying what is allowed',
    (name) => {
      const error = (() => {
        try {
          validateParticipant(name);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isKitError(error)).toBe(true);
      expect((error as Error).message).toContain('lowercase letters, digits and "-"');
      expect(() => namesFor(name)).toThrow(/not a participant name/);
      expect(() => participantFromEnv({ [participantVariable]: name })).toThrow(/not a participant name/);
    },
  );

  it('reads the participant from an environment; unset or empty means none', () => {
    expect(participantFromEnv({})).toBeUndefined();
    expect(participantFromEnv({ [participantVariable]: '' })).toBeUndefined();
    expect(participantFromEnv({ [participantVariable]: 'bob' })).toBe('bob');
  });

  it('workshopNames follows WORKSHOP_PARTICIPANT when a name is used, not when the module was imported', () => {
    process.env.WORKSHOP_ENV_FILE = join(tmpdir(), 'no-such-env-file');
    delete process.env[participantVariable];
    expect(workshopNames.avroTopic).toBe('button_presses');
    process.env[participantVariable] = 'carol';
    expect(workshopNames.avroTopic).toBe('carol.button_presses');
    expect({ ...workshopNames }).toEqual(namesFor('carol'));
    const { jsonTopic } = workshopNames;
    expect(jsonTopic).toBe('carol.button_presses_json');
  });

  it("takes the participant from .env when the shell has none, and the shell's (even empty) over .env", () => {
    process.env.WORKSHOP_ENV_FILE = envFileWith(`KAFKA_BROKERS=127.0.0.1:9092\n${participantVariable}=dave\n`);
    delete process.env[participantVariable];
    expect(activeParticipant()).toBe('dave');
    expect(workshopNames.jsonTopic).toBe('dave.button_presses_json');
    process.env[participantVariable] = '';
    expect(activeParticipant()).toBeUndefined();
    process.env[participantVariable] = 'erin';
    expect(activeParticipant()).toBe('erin');
  });

  it('a bad name in .env is the same KitError', () => {
    process.env.WORKSHOP_ENV_FILE = envFileWith(`${participantVariable}=Dave\n`);
    delete process.env[participantVariable];
    expect(() => workshopNames.avroTopic).toThrow(/not a participant name/);
  });
});
