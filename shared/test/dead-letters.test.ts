import { describe, expect, it } from 'vitest';
import { deadLetterHeaderNames, deadLetterHeaders, readDeadLetterContext } from '../src/dead-letters.js';

describe('dead-letter headers (Kafka Connect context headers)', () => {
  it("writes Connect's header names, with the record's origin and the error", () => {
    const error = new TypeError('count -1 is not a UInt32');
    const headers = deadLetterHeaders({
      topic: 'button_presses',
      partition: 2,
      offset: '41',
      connectorName: 'clickhouse-sink',
      stage: 'TASK_PUT',
      className: 'sink.ts#storeBatch',
      error,
    });
    expect(headers).toEqual({
      '__connect.errors.topic': 'button_presses',
      '__connect.errors.partition': '2',
      '__connect.errors.offset': '41',
      '__connect.errors.connector.name': 'clickhouse-sink',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'TASK_PUT',
      '__connect.errors.class.name': 'sink.ts#storeBatch',
      '__connect.errors.exception.class.name': 'TypeError',
      '__connect.errors.exception.message': 'count -1 is not a UInt32',
    });
  });

  it('reads them back as kafkajs delivers them: Buffers, and a repeated header as a list (the last wins)', () => {
    const info = readDeadLetterContext({
      [deadLetterHeaderNames.topic]: Buffer.from('button_presses'),
      [deadLetterHeaderNames.partition]: Buffer.from('0'),
      [deadLetterHeaderNames.offset]: '7',
      [deadLetterHeaderNames.stage]: [Buffer.from('VALUE_CONVERTER'), Buffer.from('TASK_PUT')],
      [deadLetterHeaderNames.exceptionMessage]: Buffer.from('no such schema'),
    });
    expect(info).toMatchObject({
      topic: 'button_presses',
      partition: 0,
      offset: '7',
      stage: 'TASK_PUT',
      exceptionMessage: 'no such schema',
    });
    expect(info.connectorName).toBeUndefined();
  });
});
