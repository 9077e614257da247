import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The workshop's event: one row = one interaction with the button page (design page, "The event").
 * The Avro schema's single source is the reference solution of step 04 (the participant writes the same
 * file in that step); everything after step 04 — sinks, the button app, tests — reads it from there.
 */
export const buttonActions = ['EnterPage', 'PressButton', 'ExitPage'] as const;
export type ButtonAction = (typeof buttonActions)[number];

export interface ButtonPressEvent {
  /** One visit; a UUID. */
  session_id: string;
  /** When, in UTC. JSON carries it as an ISO-8601 string ending in Z; Avro as timestamp-millis. */
  timestamp: string;
  action: ButtonAction;
  /** 0-based sequence within the visit; ExitPage's count + 1 = the visit's number of events. */
  count: number;
  /** ISO 3166 alpha-2, or `--` when the lookup found nothing. */
  country_code: string;
  /** English name, or `Unknown`. */
  country_name: string;
  subdivision_name: string | null;
  city_name: string | null;
  /** null = simulated visitor, 0 = real web visitor. */
  cohort: number | null;
}

export const unknownCountry = { country_code: '--', country_name: 'Unknown' } as const;

export const buttonPressSchemaPath = resolve(import.meta.dirname, '../../solutions/04-avro/src/button-press.avsc');

/** The Avro schema (parsed JSON) of the event. */
export function readButtonPressSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(buttonPressSchemaPath, 'utf8')) as Record<string, unknown>;
}
