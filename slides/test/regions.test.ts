import { describe, expect, it } from 'vitest';
import { extractRegion, listRegions, RegionError, withoutRegionMarkers } from '../src/regions.js';
import { extractDeclaration, findIncludes, formatJsonCompact, includeSpecFromFenceInfo, jsonPointer } from '../src/includes.js';
import { findNetworkReferences } from '../src/offline-check.js';

/** The region extractor and the include syntax: what a slide's code comes from, and the errors when it cannot. */

const file = 'solutions/99-demo/src/produce.ts';

function source(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function regionError(run: () => unknown): RegionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RegionError);
    return error as RegionError;
  }
  throw new Error('expected a RegionError, nothing was thrown');
}

describe('extractRegion', () => {
  const text = source(
    "import { x } from 'y';",
    '',
    'export async function produce() {',
    '  // #region produce-keyed',
    '',
    '  return await producer.send({',
    '    messages: events.map((event) => ({ key: event.session_id })),',
    '  });',
    '',
    '  // #endregion produce-keyed',
    '}',
  );

  it('returns the lines between the markers, dedented, without blank edges, with their line numbers', () => {
    const region = extractRegion(text, file, 'produce-keyed');
    expect(region.code).toBe(
      ['return await producer.send({', '  messages: events.map((event) => ({ key: event.session_id })),', '});'].join('\n'),
    );
    expect(region).toMatchObject({ name: 'produce-keyed', markerLine: 4, startLine: 6, endLine: 8 });
  });

  it('names the file, the region and the regions that do exist when the region is missing', () => {
    const error = regionError(() => extractRegion(text, file, 'produce-unkeyed'));
    expect(error.message).toBe(`${file}: no region "produce-unkeyed" (regions in the file: produce-keyed)`);
    expect(error).toMatchObject({ file, region: 'produce-unkeyed' });
    expect(regionError(() => extractRegion('const a = 1;\n', file, 'x')).message).toBe(`${file}: no region "x" (the file has no regions)`);
  });

  it('refuses an empty region (blank lines only), naming file, line and region', () => {
    const empty = source('// #region nothing', '', '   ', '// #endregion nothing');
    const error = regionError(() => extractRegion(empty, file, 'nothing'));
    expect(error.message).toBe(`${file}:1: region "nothing" is empty — a slide would show nothing`);
    expect(error.region).toBe('nothing');
  });

  it('refuses nested regions', () => {
    const nested = source('// #region outer', 'a();', '// #region inner', 'b();', '// #endregion inner', '// #endregion outer');
    const error = regionError(() => extractRegion(nested, file, 'outer'));
    expect(error.message).toBe(
      `${file}:3: region "inner" starts inside region "outer" (opened on line 1) — regions do not nest; close "outer" first`,
    );
    expect(error.region).toBe('inner');
  });

  it('refuses a region name used twice in one file, whichever region is asked for', () => {
    const twice = source(
      '// #region send',
      'a();',
      '// #endregion send',
      '// #region other',
      'c();',
      '// #endregion other',
      '// #region send',
      'b();',
      '// #endregion send',
    );
    for (const asked of ['send', 'other']) {
      expect(regionError(() => extractRegion(twice, file, asked)).message).toBe(
        `${file}:7: region "send" is defined twice in ${file} — give each region its own name`,
      );
    }
  });

  it('refuses a region never closed, an #endregion that closes another region, and one that closes nothing', () => {
    expect(regionError(() => extractRegion(source('// #region open', 'a();'), file, 'open')).message).toBe(
      `${file}:1: region "open" is never closed — add "#endregion open"`,
    );
    expect(regionError(() => extractRegion(source('// #region a', 'x();', '// #endregion b'), file, 'a')).message).toBe(
      `${file}:3: "#endregion b" does not close region "a" (opened on line 1) — write "#endregion a"`,
    );
    expect(regionError(() => extractRegion(source('// #region a', 'x();', '// #endregion'), file, 'a')).message).toBe(
      `${file}:3: "#endregion" does not close region "a" (opened on line 1) — write "#endregion a"`,
    );
    expect(regionError(() => extractRegion(source('x();', '// #endregion a'), file, 'a')).message).toBe(
      `${file}:2: "#endregion a" closes a region that was never opened`,
    );
    expect(regionError(() => extractRegion(source('// #region', 'x();', '// #endregion'), file, 'x')).message).toMatch(
      /^.*:1: "#region" needs a name/,
    );
  });

  it('reads the markers of other comment styles (CSS, HTML, SQL, shell) as VS Code folds them', () => {
    const css = source('/* #region button */', '.big-button { font-size: 3rem; }', '/* #endregion button */');
    expect(extractRegion(css, 'x.css', 'button').code).toBe('.big-button { font-size: 3rem; }');
    const html = source('<!-- #region form -->', '<form></form>', '<!-- #endregion form -->');
    expect(extractRegion(html, 'x.html', 'form').code).toBe('<form></form>');
    const sql = source('-- #region ddl', 'CREATE TABLE t (a int);', '-- #endregion ddl');
    expect(extractRegion(sql, 'x.sql', 'ddl').code).toBe('CREATE TABLE t (a int);');
    expect(listRegions(source('# #region up', 'npm run stack:up', '# #endregion up'), 'x.sh').map((r) => r.name)).toEqual(['up']);
  });

  it('withoutRegionMarkers gives the file as it is without its markers', () => {
    expect(withoutRegionMarkers(text)).toBe(
      text.replace('  // #region produce-keyed\n', '').replace('  // #endregion produce-keyed\n', ''),
    );
  });
});

describe('symbol and JSON pointer includes', () => {
  const ts = source(
    "import type { Producer } from 'kafkajs';",
    '',
    '/** Doc comment: not shown. */',
    'export async function produceVisits(producer: Producer): Promise<void> {',
    '  await producer.send({ topic: "t", messages: [] });',
    '}',
    '',
    'const partitions = 3;',
  );

  it('a top-level declaration, from its first keyword to its end, with line numbers', () => {
    expect(extractDeclaration(ts, 'produce.ts', 'produceVisits')).toEqual({
      code: [
        'export async function produceVisits(producer: Producer): Promise<void> {',
        '  await producer.send({ topic: "t", messages: [] });',
        '}',
      ].join('\n'),
      startLine: 4,
      endLine: 6,
    });
    expect(extractDeclaration(ts, 'produce.ts', 'partitions').code).toBe('const partitions = 3;');
  });

  it('a missing symbol names the file and what is declared there', () => {
    expect(regionError(() => extractDeclaration(ts, 'produce.ts', 'produce')).message).toBe(
      'produce.ts: no top-level declaration "produce" (declared there: produceVisits, partitions)',
    );
    expect(regionError(() => extractDeclaration('{}', 'schema.avsc', 'x')).message).toMatch(
      /symbol includes work in TypeScript and JavaScript files/,
    );
  });

  it('a JSON pointer that points at nothing names the file and the pointer', () => {
    const schema = { fields: [{ name: 'session_id', type: 'string' }] };
    expect(jsonPointer(schema, '/fields/0/name', 'a.avsc')).toBe('session_id');
    expect(regionError(() => jsonPointer(schema, '/fields/1', 'a.avsc')).message).toBe(
      'a.avsc: the JSON pointer /fields/1 points at nothing (no "1")',
    );
  });

  it('JSON is laid out compactly: what fits on a line stays on it', () => {
    const field = { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } };
    expect(formatJsonCompact(field)).toBe('{ "name": "timestamp", "type": { "type": "long", "logicalType": "timestamp-millis" } }');
    expect(formatJsonCompact({ fields: [field, { name: 'count', type: 'int' }] }, 72)).toBe(
      [
        '{',
        '  "fields": [',
        '    {',
        '      "name": "timestamp",',
        '      "type": { "type": "long", "logicalType": "timestamp-millis" }',
        '    },',
        '    { "name": "count", "type": "int" }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });
});

describe('include syntax in a deck', () => {
  it('reads include= (and omit=) from a fence info string', () => {
    expect(includeSpecFromFenceInfo('ts include=solutions/02-produce-json/src/produce.ts#produce-keyed')).toEqual({
      path: 'solutions/02-produce-json/src/produce.ts',
      fragment: 'produce-keyed',
    });
    expect(includeSpecFromFenceInfo('json include=a.avsc#/fields omit=doc')).toEqual({
      path: 'a.avsc',
      fragment: '/fields',
      omit: ['doc'],
    });
    expect(includeSpecFromFenceInfo('json include=a.avsc')).toEqual({ path: 'a.avsc' });
    expect(includeSpecFromFenceInfo('ts')).toBeUndefined();
    expect(() => includeSpecFromFenceInfo('ts include=a.ts#region omit=doc')).toThrow(/omit= works with a JSON pointer include/);
  });

  it('finds every include fence with its line, and not fences inside other fences', () => {
    const deck = [
      '# A',
      '',
      '```ts include=a.ts#one',
      '```',
      '',
      '````md',
      '```ts include=b.ts#quoted',
      '```',
      '````',
      '~~~json include=c.avsc#/fields',
      '~~~',
    ].join('\n');
    expect(findIncludes(deck)).toEqual([
      { line: 3, spec: { path: 'a.ts', fragment: 'one' } },
      { line: 10, spec: { path: 'c.avsc', fragment: '/fields' } },
    ]);
  });
});

describe('findNetworkReferences (built decks must work offline)', () => {
  it('reports scripts, stylesheets, @import, url() and @font-face sources on the network', () => {
    const html = [
      '<script src="https://cdn.jsdelivr.net/npm/x.js"></script>',
      "<link rel=stylesheet href='//fonts.googleapis.com/css?family=Lato'>",
      '<style>@import url("https://example.com/a.css"); @import "http://example.com/b.css";',
      '@font-face { font-family: X; src: url(https://example.com/x.woff2) format("woff2"), local(X); }',
      "section { background: url('https://example.com/bg.png'); }</style>",
      '<img src="https://cdn.jsdelivr.net/gh/twitter/twemoji@14.0.2/assets/svg/1f436.svg">',
      '<div style="background-image: url(https://example.com/c.png)"></div>',
    ].join('\n');
    expect(findNetworkReferences(html)).toEqual([
      { kind: '<script src>', url: 'https://cdn.jsdelivr.net/npm/x.js' },
      { kind: '<link href>', url: '//fonts.googleapis.com/css?family=Lato' },
      { kind: '<img src>', url: 'https://cdn.jsdelivr.net/gh/twitter/twemoji@14.0.2/assets/svg/1f436.svg' },
      { kind: 'url()', url: 'https://example.com/c.png' },
      { kind: '@import', url: 'https://example.com/a.css' },
      { kind: '@import', url: 'http://example.com/b.css' },
      { kind: '@font-face', url: 'https://example.com/x.woff2' },
      { kind: 'url()', url: 'https://example.com/bg.png' },
    ]);
  });

  it('looks inside inlined SVG images', () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://fonts.example/x.css);</style></svg>',
    ).toString('base64');
    expect(findNetworkReferences(`<img src="data:image/svg+xml;base64,${svg}">`)).toEqual([
      { kind: '@import', url: 'https://fonts.example/x.css' },
    ]);
  });

  it('leaves alone data: URIs, relative paths, links to click, XML namespaces and URLs in shown code', () => {
    const html = [
      '<link rel="icon" href="data:image/png;base64,AAAA">',
      '<script src="bespoke.js"></script>',
      '<a href="https://db-ip.com">DB-IP</a>',
      '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
      '<pre><code>&lt;script src="https://cdn.example/x.js"&gt;&lt;/script&gt; url(https://example.com)</code></pre>',
      '<script>/*! For license information please see https://unpkg.com/@marp-team/marp-cli/lib/bespoke.js.LICENSE.txt */</script>',
    ].join('\n');
    expect(findNetworkReferences(html)).toEqual([]);
  });
});
