/**
 * Slides are shown on a closed network as often as not: a built deck must load nothing from the network — no
 * script, stylesheet or font from a CDN. This finds every such reference in a built HTML file; data: URIs are
 * fine, and SVG images inlined as base64 are opened and checked too. Links a person may click (<a href>) are
 * not loads and are not reported.
 */

const networkUrl = /^\s*(?:https?:)?\/\//i;

export interface NetworkReference {
  /** What loads it: "<script src>", "<link href>", "@import", "url()", "@font-face", "<img src>", … */
  kind: string;
  url: string;
}

export function findNetworkReferences(html: string): NetworkReference[] {
  const found: NetworkReference[] = [];
  const add = (kind: string, url: string) => {
    if (networkUrl.test(decodeEntities(url))) found.push({ kind, url: decodeEntities(url).trim() });
  };

  // Elements that load what their attribute names. In code shown on a slide "<" is escaped, so code never matches.
  const loaders: Record<string, string[]> = {
    script: ['src'],
    link: ['href'],
    img: ['src', 'srcset'],
    image: ['href', 'xlink:href'],
    use: ['href', 'xlink:href'],
    iframe: ['src'],
    video: ['src', 'poster'],
    audio: ['src'],
    source: ['src', 'srcset'],
    track: ['src'],
    embed: ['src'],
    object: ['data'],
    input: ['src'],
  };
  for (const tag of html.matchAll(/<([a-z][\w:-]*)\b([^>]*)>/gi)) {
    const name = tag[1]!.toLowerCase();
    const attributes = tag[2] ?? '';
    for (const attribute of loaders[name] ?? []) {
      for (const value of attributeValues(attributes, attribute)) {
        for (const url of attribute === 'srcset' ? value.split(',').map((part) => part.trim().split(/\s+/)[0] ?? '') : [value]) {
          add(`<${name} ${attribute}>`, url);
        }
      }
    }
    for (const style of attributeValues(attributes, 'style')) found.push(...findInCss(decodeEntities(style)));
  }
  for (const style of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) found.push(...findInCss(style[1] ?? ''));

  // Inlined SVG images can carry styles and links of their own.
  for (const svg of html.matchAll(/data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/g)) {
    found.push(...findNetworkReferences(Buffer.from(svg[1]!, 'base64').toString('utf8')));
  }
  return found;
}

/** @import, url() and @font-face sources in a stylesheet. */
export function findInCss(css: string): NetworkReference[] {
  const found: NetworkReference[] = [];
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const match of withoutComments.matchAll(/@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1/gi)) {
    if (networkUrl.test(match[2]!)) found.push({ kind: '@import', url: match[2]! });
  }
  for (const face of withoutComments.matchAll(/@font-face\s*\{([^}]*)\}/gi)) {
    for (const match of (face[1] ?? '').matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/gi)) {
      if (networkUrl.test(match[2]!)) found.push({ kind: '@font-face', url: match[2]!.trim() });
    }
  }
  const outsideFontFaces = withoutComments.replace(/@font-face\s*\{[^}]*\}/gi, '').replace(/@import\s+[^;]*;?/gi, '');
  for (const match of outsideFontFaces.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/gi)) {
    if (networkUrl.test(match[2]!)) found.push({ kind: 'url()', url: match[2]!.trim() });
  }
  return found;
}

function attributeValues(attributes: string, name: string): string[] {
  const pattern = new RegExp(`(?:^|\\s)${name.replace(':', '\\:')}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'gi');
  return [...attributes.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&#x2F;|&#47;/gi, '/')
    .replace(/&#x3A;|&#58;/gi, ':')
    .replace(/&amp;/g, '&');
}
