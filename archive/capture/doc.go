// Package capture takes the screenshots of uppsikt's evidence with a headless
// Chromium: a PNG of a comment's live page on its platform, and a full-page
// PNG of the evidence view that uppsikt renders itself from what it stored.
// A live page taller than Options.MaxHeight (a thread of hundreds of
// comments) is captured in a window of that height around the comment its
// address names (comment_id, found by Options.FocusSelectors), so that the
// evidence does not grow with the thread.
//
// One warm browser is started on the first capture and kept; captures run in
// a bounded pool of tabs (two by default), each with its own time limit. A
// platform page is captured in a fresh browser context (no cookies, cache
// or storage shared between captures). Opening a tab in a new context costs
// the browser about a second of CPU, so the tabs of the next captures are
// opened and set up in advance, one for each capture that may run at once,
// and closed in the background afterwards. That housekeeping competes for
// the CPU with whatever the captures are for, so a caller can Hold the
// browser while it finishes (the evidence maker does until the PDF is
// committed) and the housekeeping runs on release. uppsikt's own documents, which
// load nothing from the network, reuse a kept tab for up to a hundred
// documents. The browser is restarted after it crashes or a capture fails,
// and every few hundred captures, so that its memory stays flat; a capture
// that meets a dead browser is retried once on a new one, so callers do not
// see the crash.
//
// Pages behind a login wall can be captured as a logged-in visitor sees
// them: Options.Cookies (read from a cookie export with LoadCookies) are set
// in the fresh context of every platform page, only for the allowed hosts.
//
// The browser only talks to the platform hosts in the configuration: every
// HTTP(S) request of a page (documents, redirects, frames, images, scripts,
// fetch and beacons) is intercepted and any other host is refused, so a link,
// image or script inside a comment can never make uppsikt's browser reach
// another site. WebSocket and WebRTC, which interception cannot see, are
// disabled in every document before the page's own scripts run. Pages are
// never clicked: links inside comments are never followed. A document that
// uppsikt rendered itself is set as the page content with no network at all.
// Not covered: the browser's own speculative DNS lookups and preconnects,
// which send no request.
//
// Captures are evidence of what a page showed: the PNG bytes are returned
// as the browser produced them, to be hashed and stored by archive/evidence.
package capture
