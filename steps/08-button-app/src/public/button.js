// Leaving the page ends the visit (ExitPage). `pagehide` fires on close, reload and navigation — also on
// phones, where `unload` often does not — and sendBeacon is delivered even as the page goes away. The
// visit is named by its signed cookie, which the browser sends along: this script never sees it.
addEventListener('pagehide', () => {
  navigator.sendBeacon('/exit');
});
