import { describe, expect, it } from 'vitest';
import { boardSettings, shouldPublish } from '../../src/room/board-settings.js';
import { progressEvent, withoutAddresses } from '../../src/room/progress-event.js';

describe('progress event (the board never carries code or an address)', () => {
  it('counts the run and names the first failing test with the first line of its hint', () => {
    const event = progressEvent(
      'alice',
      '03-consume',
      [
        { fullName: 'consumer > joins the group', state: 'passed' },
        {
          fullName: 'consumer > commits after processing',
          state: 'failed',
          error: { name: 'HintError', message: 'Commit after the batch — README §3\n    ↳ const x = await secret()' },
        },
        { fullName: 'consumer > counts', state: 'failed', error: { name: 'HintError', message: 'later' } },
        { fullName: 'consumer > skipped one', state: 'skipped' },
      ],
      0,
      new Date('2026-12-02T20:00:00Z'),
    );
    expect(event).toEqual({
      participant: 'alice',
      step: '03-consume',
      passed: 1,
      failed: 2,
      first_failing_test: 'consumer > commits after processing',
      hint: 'Commit after the batch — README §3',
      time: new Date('2026-12-02T20:00:00Z'),
    });
  });

  it('sends no text of a bare assertion (it may hold the participant’s values), only the test name', () => {
    const event = progressEvent(
      'bob',
      '02-produce-json',
      [{ fullName: 'produce > keys', state: 'failed', error: { name: 'AssertionError', message: "expected 'my-data' to be 'x'" } }],
      0,
    );
    expect(event.first_failing_test).toBe('produce > keys');
    expect(event.hint).toBeNull();
  });

  it('counts a file that could not run as a failure', () => {
    const event = progressEvent('bob', '04-avro', [], 1);
    expect(event).toMatchObject({ passed: 0, failed: 1, first_failing_test: null, hint: null });
  });

  it('replaces IPv4 and IPv6 addresses in test names and hints', () => {
    expect(withoutAddresses('lookup of 8.8.8.8 and 2001:db8::1 and ::ffff:10.0.0.1 and fe80:0:0:0:1:2:3:4')).toBe(
      'lookup of <address> and <address> and <address> and <address>',
    );
    const event = progressEvent(
      'eve',
      '01-fake-data',
      [{ fullName: 'geo > 81.2.69.142 is GB', state: 'failed', error: { name: 'HintError', message: 'Look up 2a02:c7f::1 — README §1' } }],
      0,
    );
    expect(JSON.stringify(event)).not.toMatch(/81\.2\.69\.142|2a02:c7f/);
  });

  it('cuts a long hint to one short line', () => {
    const event = progressEvent(
      'eve',
      '01-fake-data',
      [{ fullName: 't', state: 'failed', error: { name: 'HintError', message: 'x'.repeat(500) } }],
      0,
    );
    expect(event.hint!.length).toBeLessThanOrEqual(200);
  });
});

describe('board settings (who publishes, and the opt-out)', () => {
  it('publishes the participant’s own runs in a room, and nothing without a participant', () => {
    expect(shouldPublish(boardSettings({ WORKSHOP_PARTICIPANT: 'alice' }), 'starter')).toBe(true);
    expect(shouldPublish(boardSettings({}), 'starter')).toBe(false);
  });

  it('WORKSHOP_BOARD=off opts out', () => {
    expect(shouldPublish(boardSettings({ WORKSHOP_PARTICIPANT: 'alice', WORKSHOP_BOARD: 'off' }), 'starter')).toBe(false);
  });

  it('leaves verify’s runs on the solution and its mistakes off the board unless WORKSHOP_BOARD=on (the rehearsal)', () => {
    expect(shouldPublish(boardSettings({ WORKSHOP_PARTICIPANT: 'alice' }), 'solution')).toBe(false);
    expect(shouldPublish(boardSettings({ WORKSHOP_PARTICIPANT: 'alice' }), 'other')).toBe(false);
    expect(shouldPublish(boardSettings({ WORKSHOP_PARTICIPANT: 'p1', WORKSHOP_BOARD: 'on' }), 'solution')).toBe(true);
  });

  it('ignores a participant name that is not a namespace', () => {
    expect(boardSettings({ WORKSHOP_PARTICIPANT: 'Alice Smith' }).participant).toBeUndefined();
  });
});
