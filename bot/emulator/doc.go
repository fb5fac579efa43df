// Package emulator serves an emulated Meta Graph API (Facebook Pages and
// Instagram professional accounts) so that uppsikt can be tried, demonstrated
// and tested without reaching Meta. The real client,
// github.com/huandu/facebook/v2, works against it unchanged: point
// Session.BaseURL at the emulator (with a trailing slash) and set
// Session.Version.
//
// The emulator holds a scenario: a fictional municipality with a Facebook
// page and a linked Instagram account, a year of posts, and comments and
// replies of every kind a moderator meets — questions, complaints, praise,
// requests for public records, and comments in every removal category of
// the guideline, including the traps (Swedish "slut" and "fan", place names
// such as Fittja, org and phone numbers that look like identity numbers).
// Two scenarios are embedded: "sv" (Gruvbergs kommun) and "da" (Østervig
// Kommune). Everything lives in memory; a restart starts the scenario anew.
//
// # Use from Go
//
//	s, _ := emulator.LoadScenario("sv")
//	e, _ := emulator.New(emulator.Options{Scenario: s, AppID: "1", AppSecret: "secret", Seed: 1})
//	defer e.Close()
//	srv := httptest.NewServer(e)    // or http.Server{Handler: e}
//	e.SetBaseURL(srv.URL + "/")     // used in paging.next and permalink_url
//	for _, a := range e.Accounts() { ... a.ID, a.Token, a.PageURL ... }
//	go e.RunLive(ctx, 2)            // two new comments, edits or author deletions a minute
//
// AddComment, EditComment and AuthorDelete act as a visitor would and emit
// webhook events; DeletePost deletes a post with its comments as its author
// or another admin would; InjectFault adds a fault; State and Stats return what
// /_emulator/state and /_emulator/stats serve.
//
// # Graph API
//
// Every path may start with a version ("/v23.0/"). The access token comes in
// access_token (query or form) or an "Authorization: Bearer" header. A page
// token acts only on its own page and the Instagram account linked to it;
// another token gets error 190. When appsecret_proof is sent it must be
// hex(HMAC-SHA256(app secret, token)), else error 100; with
// Options.RequireAppsecretProof it must be sent.
//
//	GET    /{page-id}                         fields id,name,category,link,fan_count,instagram_business_account,...
//	GET    /{page-id}/feed                    posts, newest first; fields, since/until (unix or ISO 8601), limit (≤100)
//	GET    /{post-id}                         fields id,message,created_time,updated_time,from,permalink_url,is_hidden,
//	                                          is_published,status_type,full_picture,attachments,comments
//	GET    /{post-id}/comments                default: top-level comments only (the filtered view);
//	                                          filter=stream: every comment and reply; order=chronological|reverse_chronological
//	GET    /{comment-id}                      fields id,message,from,created_time,permalink_url,parent,comment_count,
//	                                          like_count,is_hidden,is_private,can_hide,can_remove,can_reply_privately,...
//	                                          (no updated_time, no edit history)
//	GET    /{comment-id}/comments             replies
//	POST   /{comment-id}  is_hidden=true|false hide or unhide
//	DELETE /{comment-id}                      delete (also POST with method=DELETE); again → error 100, subcode 33
//	POST   /{comment-id}/comments message=    reply in the thread, as the page (a reply to a reply lands
//	                                          under its top-level comment); it goes when that comment goes
//	POST   /{post-id}/comments message=       a comment on the post, as the page
//	POST   /{page-id}/messages                private reply: recipient={"comment_id":"..."}, message={"text":"..."};
//	                                          once per comment (10900), within 7 days (10903), and only while
//	                                          the comment exists (a hidden one may be answered; a deleted
//	                                          one answers error 100)
//	GET|POST|DELETE /{page-id}/subscribed_apps  subscribed_fields=feed
//	GET    /me, /me/accounts                  the user token lists the pages and their tokens
//	GET    /debug_token?input_token=          is_valid, type, profile_id, scopes; a revoked token shows is_valid false
//	POST   /  batch=[{"method","relative_url","body"}]   at most 50; each answer has code, headers, body (a string)
//
//	GET    /{ig-user-id}                      fields id,username,name,media_count,followers_count
//	GET    /{ig-user-id}/media                fields id,caption,media_type,media_url,permalink,timestamp,comments_count,...
//	GET    /{media-id}/comments               top-level comments; fields id,text,username,from{id,username},timestamp,
//	                                          hidden,like_count,parent_id,replies
//	GET    /{ig-comment-id}/replies
//	POST   /{ig-comment-id}  hide=true|false
//	DELETE /{ig-comment-id}
//	POST   /{ig-comment-id}/replies message=  top-level, not hidden comments only
//
// Field expansion nests edges with modifiers, for example
// fields=id,message,comments.filter(stream).limit(100){id,message,from,created_time,parent,is_hidden,comment_count}.
// Lists page by cursor: paging.cursors.before/after, and absolute
// paging.next/previous URLs that carry the access token; the last page has
// no next. An unknown field answers error 100 naming it.
//
// Errors have Graph's shape,
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}, with
// HTTP 400 for most OAuthException and GraphMethodException answers, 403 for
// rate limits 4, 17 and 32 and for permission errors, 500 for code 1 and 503
// for code 2 (these statuses are the emulator's reading of Meta's practice;
// a fault can set any status).
//
// Every Graph answer carries X-App-Usage {"call_count","total_cputime",
// "total_time"} and X-Business-Use-Case-Usage {"<account-id>":[{"type":
// "pages","call_count",...,"estimated_time_to_regain_access"}]}. As at Meta,
// Business Use Case usage belongs to the business object the call concerns:
// a call on an Instagram account, its media or comments is keyed by the
// Instagram account's id with type "instagram", although it carries the
// linked page's token; /me, /debug_token and unknown ids fall back to the
// token's page. call_count is the share in percent of Options.AppCallBudget
// calls in the rolling Options.UsageWindow (app) or of Options.PageCallBudget
// calls in 24 hours (account); total_cputime and total_time are derived from
// it. Above 100 the emulator answers error 4 (app), 80001 (page) or 80002
// (Instagram account) until calls leave the window.
//
// # Control API
//
// The control API is not part of Graph and needs no token.
//
//	curl localhost:8081/_emulator/accounts                       # accounts, tokens, user token
//	curl localhost:8081/_emulator/summary                        # scenario size per category and account
//	curl localhost:8081/_emulator/stats                          # calls per endpoint pattern, per account, total
//	curl -X POST localhost:8081/_emulator/stats/reset            # also empties the usage windows
//	curl localhost:8081/_emulator/state[?account=ID]             # posts, comments (hidden, deleted, labels, every text), actions, deliveries
//	curl -X POST localhost:8081/_emulator/faults -d '{"code":80001,"path":"/{page}/feed","count":3,"regain_minutes":10}'
//	curl -X POST localhost:8081/_emulator/faults -d '{"faults":[{"code":190,"error_subcode":460,"count":1},{"kind":"delay","delay":"2s","probability":0.1}]}'
//	curl localhost:8081/_emulator/faults                         # faults with how often they fired
//	curl -X DELETE localhost:8081/_emulator/faults
//	curl -X POST localhost:8081/_emulator/tokens -d '{}'          # un-revoke all tokens ({"account":"ID"} for one)
//	curl -X POST localhost:8081/_emulator/webhooks -d '{"callback_url":"http://localhost:8080/webhooks/meta","verify_token":"t","subscribe_all":true}'
//	curl -X DELETE localhost:8081/_emulator/webhooks
//
// Stats name endpoints by pattern: "GET /{page}/feed", "GET /{post}/comments",
// "GET /{comment}/comments", "POST /{comment}", "DELETE /{comment}",
// "GET /{ig-user}/media", "GET /{media}/comments", "GET /{ig-comment}/replies".
//
// # Faults
//
// A fault is JSON (or a Fault in Go):
//
//	{
//	  "kind": "error",          // error (default when code is set), delay, html, reset, webhook_duplicate, webhook_reorder, webhook_drop
//	  "method": "GET",          // empty = any; the method after a method=DELETE override
//	  "path": "/{page}/feed",   // path.Match pattern against "/123/feed" or the endpoint pattern "/{page}/feed"
//	  "account": "1094810000000001", // the account the call concerns
//	  "code": 80001, "error_subcode": 0, "http_status": 0, "message": "",
//	  "regain_minutes": 5,      // estimated_time_to_regain_access shown while a rate limit fires
//	  "delay": "1.5s",          // or milliseconds; slows the answer (with or without an error)
//	  "count": 3,               // fire this many times...
//	  "probability": 0.2        // ...or with this chance per matching call (seeded by Options.Seed); neither = always
//	}
//
// Codes 4, 17, 32, 613 and 80001–80014 are rate limits (the usage headers
// show 100 and the regain time); 190 with subcode 458, 459, 460, 463, 464 or
// 467 revokes the calling token until POST /_emulator/tokens; 100 with
// subcode 33 is "object does not exist"; 1 and 2 are transient server
// errors; 368 is a temporary block; 10 and 200–299 are permission errors.
// A "html" fault answers a proxy's HTML error page (http_status, default
// 502) instead of Graph JSON, and a "reset" fault drops the connection
// without an answer; with "delay" these are the network's failures.
// The webhook kinds apply to the next events of the matching account:
// duplicate delivers twice, reorder holds an event back until the next one
// has gone, drop never delivers it.
//
// # Webhooks
//
// POST /_emulator/webhooks performs Meta's verification handshake — GET
// callback_url?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...,
// which must answer 200 with the challenge — and then delivers events for
// subscribed accounts (POST /{page-id}/subscribed_apps with
// subscribed_fields=feed, or subscribe_all in the registration). Facebook
// comment changes (add, edited, remove, hide, unhide) arrive as
// {"object":"page","entry":[{"id","time","changes":[{"field":"feed","value":{"item":"comment","verb",
// "comment_id","post_id","parent_id","from","message","created_time"}}]}]}
// (a remove carries no message); new Instagram comments as object
// "instagram", field "comments". Each POST carries X-Hub-Signature-256:
// sha256=hex(HMAC-SHA256(app secret, raw body)) (and the older SHA-1
// X-Hub-Signature). A failed delivery (an error or a non-2xx status) is
// retried Options.WebhookRetries times with doubling waits from
// Options.WebhookBackoff. Delivery runs in one goroutine, in order, and
// stops on Close.
//
// State lists the latest Options.DeliveryLog delivery attempts (Delivery):
// the event number, account, item, verb, object id, whether the callback
// answered 2xx, and the SHA-256 of the comment text the event carried; and
// for every comment its Texts, every text it has had. Together they say
// which texts a receiver was given (a 2xx delivery) and which it could only
// have seen by reading the comment at the right moment.
//
// # Web pages
//
// /web/{account-id} is the account's page (header with the name and an
// avatar block, a card per post); /web/{account-id}/posts/{post-id} is a post
// with its comment thread, replies nested, hidden comments greyed and
// deleted ones absent; ?comment_id=ID highlights that comment and scrolls to
// it. The account page shows 25 posts, newest first, and links to the next
// 25 with <a rel="next"> (?before= the last post shown), so that a page,
// like a platform's, never holds an account's whole history; a yearly
// snapshot follows the links page after page. ?since= and ?until= (unix or
// ISO 8601) limit the posts, for example to one year, and ?threads=1 shows
// every thread. permalink_url and permalink point there, so browser captures of
// evidence and yearly snapshots work against the emulator. All text is
// escaped by html/template.
//
// # Scenario files
//
// LoadScenario takes "sv", "da" or the path of a YAML or JSON file:
//
//	name: Gruvbergs kommun
//	language: sv                 # sv or da
//	seed: 20260415               # the expansion is deterministic for it
//	days: 365                    # posts spread over this many days before now
//	ordinary_weight: 5           # unlabelled comments are drawn this many times more often
//	user_token: EMU-sv-user-...  # accepted by /me/accounts
//	accounts:
//	  - {key: fb, platform: facebook, id: "1094810000000001", name: Gruvbergs kommun, token: EMU-..., posts: 190,
//	     comments_per_post: [3, 10], reply_percent: 22}
//	  - {key: ig, platform: instagram, id: "17841400000000101", name: gruvbergskommun, page: fb, posts: 45,
//	     quiet_days: 20}         # no post in the last 20 days: an inactive account
//	authors: [Anna Lindqvist, Per Eriksson, ...]
//	posts:                       # texts, reused in shuffled order; account: ig for Instagram captions
//	  - text: "Snöröjningen är igång ..."
//	    picture: true
//	    months: [11, 12, 1, 2, 3]  # New places a seasonal text in one of its months
//	    comments:                # comments that belong to this post (used the first time it appears)
//	      - text: "Snövallen ... blockerar vägen ..."
//	        question: true
//	        register: true
//	        replies:
//	          - page: "Hej! Tack för att du larmade ..."   # the page's own answer
//	          - "Tack för snabbt svar!"                    # a visitor's reply
//	comments:                    # the pool drawn for every post; a string or a mapping
//	  - "Tack till personalen på biblioteket!"
//	  - {text: "Mitt personnummer är ...", labels: [personal_id], question: true}
//	page_replies: ["Hej! Vi har skickat frågan vidare ..."]
//	replies: ["Håller med!", {text: "...", labels: [harassment]}]
//
// Labels are moderation.Categories ids. They are never served by the Graph
// API; Summary counts them and /_emulator/state shows them, so that a
// classifier's hits can be compared with what the scenario meant. Errors
// name the file and the line.
package emulator
