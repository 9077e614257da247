import { buttonActions } from '@workshop/shared';

/**
 * README §7: does a decoded record fit the table? The registry decodes whatever schema the record was written
 * with — another schema registered under the subject decodes too — and ClickHouse is not a judge: it stores a
 * missing field as its default (country_name ''), wraps a count over 2^32 and drops a field it has no column
 * for, without a word. So the sink checks each row itself, before the INSERT, against the table's columns.
 * Returns undefined when the row fits, else what is wrong (the dead letter's reason).
 */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const uint32Max = 2 ** 32 - 1;

export function checkRow(event: object): string | undefined {
  // TODO(step 06): for each column of the events table (README §1), is the field there, and does its value fit?
  // session_id a UUID (the regex above), timestamp a valid Date, action one of buttonActions, count a whole
  // number 0…uint32Max, country_code/country_name strings, subdivision_name/city_name string or null, cohort
  // null or a whole number in int32. Then: no field without a column. Return what is wrong, or undefined.
  void [event, uuid, int32, uint32Max, buttonActions];
  throw new Error('TODO: check that a row fits the table in checkRow() (README §7)');
}
