/**
 * The app's HTML, as small functions. Every interpolated value is escaped by `html`, and nothing here is
 * inline script or inline style: the Content-Security-Policy (app.ts) allows only our own files.
 */

/** HTML that is already safe to send: `html` leaves it as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(escapeHtml).join('');
  if (value === null || value === undefined || value === false) return '';
  return String(value).replace(/[&<>"']/g, (char) => escapes[char]!);
}

/** A template tag: `html\`<p>${text}</p>\`` escapes `text`, keeps nested `html` fragments. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, chunk, i) => out + chunk + (i < values.length ? escapeHtml(values[i]) : ''), ''));
}

/**
 * htmx's settings, read from a meta tag (no inline script needed). No injected indicator <style> (the CSP
 * forbids inline styles), no eval, no <script> from responses, requests to this server only — and swap
 * error responses too, so a friendly 429 or 400 shows up where the reply would.
 */
const htmxConfig = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true },
  ],
});

const credit = html`<footer class="credits">
    <p>We keep your country and city, never your IP address.</p>
    <p>IP geolocation by <a href="https://db-ip.com">DB-IP</a>, licensed under
      <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p>
  </footer>`;

function layout(title: string, main: SafeHtml, scripts: string[] = []): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="htmx-config" content="${htmxConfig}">
  <title>${title}</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/button.css">
  <script src="/static/htmx.min.js" defer></script>
  ${scripts.map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
  ${main}
  ${credit}
</body>
</html>
`;
}

export function buttonPage(): SafeHtml {
  return layout(
    'Pushing this button does nothing',
    html`<main class="stage">
    <h1>Pushing this button does nothing</h1>
    <p class="lede">Go on. Every press becomes an event on a Kafka topic — and then, truly, nothing.</p>
    <button class="big-button" type="button" hx-post="/press" hx-target="#reply" hx-swap="innerHTML">
      <span class="big-button__label">Push</span>
    </button>
    <output id="reply" class="reply" aria-live="polite"><span class="reply__text">Nothing has happened yet.</span></output>
    <noscript><p class="reply">This button needs JavaScript to do nothing.</p></noscript>
    <p class="nav"><a href="/stats">Live presses by country →</a></p>
  </main>`,
    // Only the button page says goodbye when left (ExitPage): the stats page is not a visit.
    ['/static/button.js'],
  );
}

/** What a press answers: a reply, and which press of this visit it was (EnterPage is count 0). */
export function replyFragment(reply: string, count: number): SafeHtml {
  return html`<span class="reply__text">${reply}</span><span class="reply__count">press #${count}</span>`;
}

export function tooManyRequestsFragment(retryAfterSeconds: number): SafeHtml {
  return html`<span class="reply__text reply__text--warning">Whoa, easy there! The button needs a breather —
    try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.</span>`;
}

/** Kafka did not take the press (503): it was not counted, and pressing again in a moment will be. */
export function tryAgainFragment(retryAfterSeconds: number): SafeHtml {
  return html`<span class="reply__text reply__text--warning">That press may not have counted: Kafka is away for a moment —
    press again in ${retryAfterSeconds} seconds.</span><span class="reply__count">503</span>`;
}

export function problemFragment(status: number, explanation: string): SafeHtml {
  return html`<span class="reply__text reply__text--warning">${explanation}</span><span class="reply__count">${status}</span>`;
}

/** A whole page around a problem, for a request that is not htmx's (a browser's address bar). */
export function problemPage(status: number, fragment: SafeHtml): SafeHtml {
  return layout(
    `${status} — Pushing this button does nothing`,
    html`<main class="stage">
    <h1>Pushing this button does nothing</h1>
    <output class="reply">${fragment}</output>
    <p class="nav"><a href="/">Back to the button</a></p>
  </main>`,
  );
}

export function statsPage(): SafeHtml {
  return layout(
    'Presses by country — Pushing this button does nothing',
    html`<main class="stage stage--wide">
    <h1>Presses by country</h1>
    <p class="lede">Live from ClickHouse, every two seconds.</p>
    <section id="stats" class="stats" hx-get="/stats/table" hx-trigger="load, every 2s" aria-live="polite">
      <p class="stats__note">Loading…</p>
    </section>
    <p class="nav"><a href="/">← Back to the button</a></p>
  </main>`,
  );
}

export interface CountryPresses {
  country_code: string;
  country_name: string;
  presses: number;
}

export function countryTable(countries: CountryPresses[]): SafeHtml {
  const total = countries.reduce((sum, country) => sum + country.presses, 0);
  const top = countries[0]?.presses ?? 0;
  return html`<p class="stats__total"><strong>${total.toLocaleString('en')}</strong> presses from
    <strong>${countries.length}</strong> ${countries.length === 1 ? 'country' : 'countries'}</p>
  <table class="stats__table">
    <thead><tr><th scope="col">Country</th><th scope="col" class="num">Presses</th><th scope="col"><span class="visually-hidden">Share</span></th></tr></thead>
    <tbody>
      ${countries.map(
        (country) => html`<tr>
        <td class="country"><span class="country-code">${country.country_code}</span>${country.country_name}</td>
        <td class="num">${country.presses.toLocaleString('en')}</td>
        <td class="bar"><progress max="${top}" value="${country.presses}">${country.presses}</progress></td>
      </tr>`,
      )}
    </tbody>
  </table>`;
}

export function statsNote(text: SafeHtml | string): SafeHtml {
  return html`<p class="stats__note">${text}</p>`;
}
