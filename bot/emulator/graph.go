package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// defaultVersion is put in paging URLs when a request named no version.
const defaultVersion = "v23.0"

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// graphError is an error answer in Graph's shape.
type graphError struct {
	Status    int
	Message   string
	Type      string
	Code      int
	Subcode   int
	Transient bool
}

func (g *graphError) Error() string {
	return fmt.Sprintf("graph error %d/%d: %s", g.Code, g.Subcode, g.Message)
}

func oauthErr(code, sub int, msg string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Type: "OAuthException", Code: code, Subcode: sub, Message: msg}
}

func methodErr(code, sub int, msg string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Type: "GraphMethodException", Code: code, Subcode: sub, Message: msg}
}

func paramErr(msg string) *graphError {
	return oauthErr(100, 0, "(#100) "+msg)
}

func unsupported(method, id string) *graphError {
	return methodErr(100, 33, fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", strings.ToLower(method), id))
}

// tokenMessages are Meta's texts for the 190 subcodes.
var tokenMessages = map[int]string{
	0:   "Invalid OAuth access token - Cannot parse access token",
	458: "Error validating access token: The user has not authorized application.",
	459: "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
	460: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
	463: "Error validating access token: Session has expired.",
	464: "Error validating access token: The user is not a confirmed user.",
	467: "Error validating access token: The access token is invalid since the user logged out or the session was invalidated.",
}

func tokenErr(sub int) *graphError {
	msg, ok := tokenMessages[sub]
	if !ok {
		msg = "Error validating access token."
	}
	return oauthErr(190, sub, msg)
}

// call is one Graph request, direct or inside a batch.
type call struct {
	ctx     context.Context
	method  string // GET, POST or DELETE after method= override
	path    string // without version, no leading or trailing slash
	segs    []string
	version string
	params  url.Values
	token   string
	header  http.Header
}

// answer is what a call produced.
type answer struct {
	status int
	body   []byte
	header http.Header
	reset  bool // close the connection without an answer (a reset fault)
}

// htmlAnswer is the error page of a proxy in front of Graph (an html fault).
func htmlAnswer(f *Fault) answer {
	status := f.HTTPStatus
	if status == 0 {
		status = http.StatusBadGateway
	}
	body := fmt.Sprintf("<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center></body></html>\n",
		status, http.StatusText(status), status, http.StatusText(status))
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	return answer{status: status, body: []byte(body), header: h}
}

// ServeHTTP answers the Graph API, the control API under /_emulator/ and the
// web pages under /web/.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.Trim(r.URL.Path, "/")
	segs := strings.Split(p, "/")
	version := ""
	if len(segs) > 0 && versionRE.MatchString(segs[0]) {
		version = segs[0]
		segs = segs[1:]
		p = strings.Join(segs, "/")
	}
	switch {
	case p == "_emulator" || strings.HasPrefix(p, "_emulator/"):
		e.serveControl(w, r, strings.TrimPrefix(strings.TrimPrefix(p, "_emulator"), "/"))
		return
	case p == "web" || strings.HasPrefix(p, "web/"):
		e.serveWeb(w, r, strings.TrimPrefix(strings.TrimPrefix(p, "web"), "/"))
		return
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	c := &call{ctx: r.Context(), method: r.Method, path: p, version: version, params: r.Form, header: r.Header}
	if p == "" {
		c.segs = nil
	} else {
		c.segs = segs
	}
	var ans answer
	if err != nil {
		ans = e.errorAnswer(c, paramErr("Could not parse the request: "+err.Error()))
	} else if p == "" && r.Method == http.MethodPost && c.params.Get("batch") != "" {
		ans = e.batch(c)
	} else {
		ans = e.graph(c)
	}
	if ans.reset {
		panic(http.ErrAbortHandler) // the server drops the connection unanswered
	}
	if ans.header.Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	for k, vs := range ans.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(ans.status)
	w.Write(ans.body)
}

// graph runs one Graph call: stats, usage, faults, authentication, handler.
func (e *Emulator) graph(c *call) answer {
	if m := strings.ToUpper(c.params.Get("method")); c.method == http.MethodPost && (m == http.MethodDelete || m == http.MethodGet) {
		c.method = m
	}
	c.token = c.params.Get("access_token")
	if c.token == "" {
		if h := c.header.Get("Authorization"); h != "" {
			if _, t, ok := strings.Cut(h, " "); ok {
				c.token = strings.TrimSpace(t)
			}
		}
	}

	e.mu.Lock()
	pattern, acct := e.classify(c)
	e.count(pattern, acct)
	f := e.matchFault(c, pattern, acct)
	e.mu.Unlock()

	if f != nil && f.Delay.Duration > 0 {
		if !e.sleep(c.ctx, f.Delay.Duration) {
			return e.errorAnswer(c, &graphError{Status: http.StatusServiceUnavailable, Type: "OAuthException", Code: 2, Transient: true, Message: "An unexpected error has occurred. Please retry your request later."})
		}
	}
	if f != nil && f.Kind == FaultHTML {
		return htmlAnswer(f)
	}
	if f != nil && f.Kind == FaultReset {
		return answer{reset: true}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	var gerr *graphError
	var body any
	if f != nil && f.Code != 0 {
		gerr = e.faultError(c, f, acct)
	}
	if gerr == nil {
		gerr = e.authenticate(c)
	}
	if gerr == nil {
		gerr = e.throttle(acct)
	}
	if gerr == nil {
		body, gerr = e.dispatch(c)
	}
	var ans answer
	if gerr != nil {
		ans = e.errorAnswerLocked(c, acct, gerr, f)
	} else {
		b, err := json.Marshal(body)
		if err != nil {
			ans = e.errorAnswerLocked(c, acct, &graphError{Status: 500, Type: "OAuthException", Code: 1, Message: "An unknown error occurred"}, f)
		} else {
			ans = answer{status: http.StatusOK, body: b, header: http.Header{}}
			e.usageHeaders(ans.header, acct, f)
		}
	}
	return ans
}

func (e *Emulator) errorAnswer(c *call, g *graphError) answer {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, acct := e.classify(c)
	return e.errorAnswerLocked(c, acct, g, nil)
}

// errorAnswerLocked answers a Graph error for a call concerning account
// acct (nil when none). The caller holds e.mu.
func (e *Emulator) errorAnswerLocked(c *call, acct *account, g *graphError, f *Fault) answer {
	e.trace++
	inner := map[string]any{
		"message":    g.Message,
		"type":       g.Type,
		"code":       g.Code,
		"fbtrace_id": fmt.Sprintf("AemuTr%010d", e.trace),
	}
	if g.Subcode != 0 {
		inner["error_subcode"] = g.Subcode
	}
	if g.Transient {
		inner["is_transient"] = true
	}
	b, _ := json.Marshal(map[string]any{"error": inner})
	h := http.Header{}
	h.Set("WWW-Authenticate", fmt.Sprintf(`OAuth "Facebook Platform" "invalid_request" "%s"`, strings.ReplaceAll(g.Message, `"`, `'`)))
	e.usageHeaders(h, acct, f)
	status := g.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	return answer{status: status, body: b, header: h}
}

// classify names the endpoint pattern of a call, like "GET /{page}/feed",
// and the account it concerns. The caller holds e.mu.
func (e *Emulator) classify(c *call) (string, *account) {
	if len(c.segs) == 0 {
		return c.method + " /", e.tokenAccount(c.token)
	}
	var acct *account
	first := c.segs[0]
	var name string
	switch first {
	case "me", "debug_token":
		name = first
		acct = e.tokenAccount(c.token)
	default:
		kind, a, _, _ := e.lookup(first)
		acct = a
		switch kind {
		case "page":
			name = "{page}"
		case "iguser":
			name = "{ig-user}"
		case "post":
			name = "{post}"
		case "media":
			name = "{media}"
		case "comment":
			name = "{comment}"
		case "igcomment":
			name = "{ig-comment}"
		default:
			name = "{id}"
			acct = e.tokenAccount(c.token)
		}
	}
	rest := ""
	if len(c.segs) > 1 {
		rest = "/" + strings.Join(c.segs[1:], "/")
	}
	return c.method + " /" + name + rest, acct
}

func (e *Emulator) tokenAccount(tok string) *account {
	if as := e.byToken[tok]; len(as) > 0 {
		return as[0]
	}
	return nil
}

func (e *Emulator) count(pattern string, a *account) {
	e.total++
	e.stats[pattern]++
	now := e.now()
	e.appCalls = append(e.appCalls, now)
	if a != nil {
		e.statsAcct[a.ID]++
		e.pageCalls[a.ID] = append(e.pageCalls[a.ID], now)
	}
}

// usagePercent gives the app's and an account's usage in percent of their budgets.
func (e *Emulator) usagePercent(a *account) (app, page int, regainMinutes int) {
	now := e.now()
	e.appCalls = trimBefore(e.appCalls, now.Add(-e.opts.UsageWindow))
	app = len(e.appCalls) * 100 / e.opts.AppCallBudget
	if a != nil {
		calls := trimBefore(e.pageCalls[a.ID], now.Add(-24*time.Hour))
		e.pageCalls[a.ID] = calls
		page = len(calls) * 100 / e.opts.PageCallBudget
		if page >= 100 && len(calls) > 0 {
			// Access comes back when enough calls have left the window.
			over := len(calls) - e.opts.PageCallBudget + 1
			if over > len(calls) {
				over = len(calls)
			}
			regain := calls[over-1].Add(24 * time.Hour).Sub(now)
			regainMinutes = int(regain.Minutes()) + 1
		}
	}
	return app, page, regainMinutes
}

func trimBefore(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	return ts[i:]
}

// usageHeaders sets X-App-Usage and X-Business-Use-Case-Usage for a call
// concerning account a, the account classify names: the owner of the
// object the path names, or for /me, /debug_token and unknown objects the
// token's first account. Meta counts Business Use Case usage per business
// object, so a call on an Instagram account, its media or its comments is
// shown under the Instagram account's id with type "instagram", although it
// is made with the linked page's token. A firing rate-limit fault shows as
// a throttled usage with its regain time.
func (e *Emulator) usageHeaders(h http.Header, a *account, f *Fault) {
	app, page, regain := e.usagePercent(a)
	if f != nil && isRateLimit(f.Code) {
		if f.Code == 4 {
			app = max(app, 100)
		} else {
			page = max(page, 100)
		}
		regain = max(regain, f.regain())
	}
	appJSON, _ := json.Marshal(map[string]int{"call_count": app, "total_cputime": app * 2 / 3, "total_time": app * 4 / 5})
	h.Set("X-App-Usage", string(appJSON))
	buc := map[string][]map[string]any{}
	if a != nil {
		typ := "pages"
		if a.Platform == "instagram" {
			typ = "instagram"
		}
		buc[a.ID] = []map[string]any{{
			"type": typ, "call_count": page, "total_cputime": page * 2 / 3, "total_time": page * 4 / 5,
			"estimated_time_to_regain_access": regain,
		}}
	}
	bucJSON, _ := json.Marshal(buc)
	h.Set("X-Business-Use-Case-Usage", string(bucJSON))
}

// throttle refuses calls once a budget is used up, as Meta does at 100%:
// error 4 for the app, 80001 for a page and 80002 for an Instagram account.
func (e *Emulator) throttle(a *account) *graphError {
	app, page, _ := e.usagePercent(a)
	if app > 100 {
		return &graphError{Status: http.StatusForbidden, Type: "OAuthException", Code: 4, Message: "(#4) Application request limit reached"}
	}
	if a != nil && page > 100 {
		code := 80001
		if a.Platform == "instagram" {
			code = 80002
		}
		return bucLimit(code)
	}
	return nil
}

// bucLimit is the error of an exhausted Business Use Case limit: 80001
// names the Page, 80002 the Instagram account, the others their use case.
func bucLimit(code int) *graphError {
	object := "business use case"
	switch code {
	case 80001:
		object = "Page account"
	case 80002:
		object = "Instagram account"
	}
	return &graphError{Status: http.StatusBadRequest, Type: "OAuthException", Code: code,
		Message: fmt.Sprintf("(#%d) There have been too many calls to this %s. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.", code, object)}
}

func (e *Emulator) appsecretProof(token string) string {
	m := hmac.New(sha256.New, []byte(e.opts.AppSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// authenticate checks the token and appsecret_proof, and that the token may
// act on the object named by the path.
func (e *Emulator) authenticate(c *call) *graphError {
	if c.token == "" {
		return oauthErr(104, 0, "An access token is required to request this resource.")
	}
	if sub, ok := e.revoked[c.token]; ok {
		return tokenErr(sub)
	}
	known := c.token == e.appTok || c.token == e.scenario.UserToken || len(e.byToken[c.token]) > 0
	if !known {
		return tokenErr(0)
	}
	// The app token carries the secret itself: Meta asks no proof of it, and
	// the client sends the page token's proof along with it (Session.Inspect).
	proof := c.params.Get("appsecret_proof")
	switch {
	case c.token == e.appTok:
	case proof != "" && e.opts.AppSecret != "":
		if !hmac.Equal([]byte(proof), []byte(e.appsecretProof(c.token))) {
			return methodErr(100, 0, "Invalid appsecret_proof provided in the API argument")
		}
	case proof == "" && e.opts.RequireAppsecretProof:
		return methodErr(100, 0, "API calls from the server require an appsecret_proof argument")
	}
	if len(c.segs) == 0 {
		return nil
	}
	switch c.segs[0] {
	case "me", "debug_token":
		return nil
	}
	_, a, _, _ := e.lookup(c.segs[0])
	if a == nil {
		return nil // the handler answers 100/33
	}
	for _, ta := range e.byToken[c.token] {
		if ta == a {
			return nil
		}
	}
	if c.token == e.appTok || c.token == e.scenario.UserToken {
		return oauthErr(190, 0, "(#190) This method must be called with a Page Access Token")
	}
	return oauthErr(190, 0, fmt.Sprintf("Error validating access token: the access token does not belong to the account that owns object %s", c.segs[0]))
}

// batch runs POST / with batch=[...]: each request is a call of its own,
// counted and faulted like a direct one.
func (e *Emulator) batch(c *call) answer {
	var reqs []struct {
		Method      string `json:"method"`
		RelativeURL string `json:"relative_url"`
		Body        string `json:"body"`
		Name        string `json:"name"`
	}
	if err := json.Unmarshal([]byte(c.params.Get("batch")), &reqs); err != nil {
		return e.errorAnswer(c, paramErr("The parameter batch must be a JSON array of requests: "+err.Error()))
	}
	c.token = c.params.Get("access_token")
	if len(reqs) > 50 {
		return e.errorAnswer(c, paramErr("Too many requests in batch message. Maximum batch size is 50"))
	}
	if len(reqs) == 0 {
		return e.errorAnswer(c, paramErr("The parameter batch must hold at least one request"))
	}
	type item struct {
		Code    int               `json:"code"`
		Headers []json.RawMessage `json:"headers"`
		Body    string            `json:"body"`
	}
	out := make([]item, 0, len(reqs))
	for _, r := range reqs {
		u, err := url.Parse(strings.TrimPrefix(r.RelativeURL, "/"))
		if err != nil {
			out = append(out, item{Code: 400, Body: `{"error":{"message":"(#100) Invalid relative_url","type":"OAuthException","code":100}}`})
			continue
		}
		params := u.Query()
		if r.Body != "" {
			bp, err := url.ParseQuery(r.Body)
			if err == nil {
				for k, vs := range bp {
					params[k] = vs
				}
			}
		}
		for _, k := range []string{"access_token", "appsecret_proof"} {
			if params.Get(k) == "" && c.params.Get(k) != "" {
				params.Set(k, c.params.Get(k))
			}
		}
		p := strings.Trim(u.Path, "/")
		segs := strings.Split(p, "/")
		version := c.version
		if len(segs) > 0 && versionRE.MatchString(segs[0]) {
			version = segs[0]
			segs = segs[1:]
			p = strings.Join(segs, "/")
		}
		m := strings.ToUpper(r.Method)
		if m == "" {
			m = http.MethodGet
		}
		sub := &call{ctx: c.ctx, method: m, path: p, segs: segs, version: version, params: params, header: http.Header{}}
		if p == "" {
			sub.segs = nil
		}
		a := e.graph(sub)
		if a.reset {
			a = htmlAnswer(&Fault{}) // inside a batch a reset shows as the proxy's 502
		}
		it := item{Code: a.status, Body: string(a.body)}
		for k, vs := range a.header {
			for _, v := range vs {
				hb, _ := json.Marshal(map[string]string{"name": k, "value": v})
				it.Headers = append(it.Headers, hb)
			}
		}
		out = append(out, it)
	}
	b, _ := json.Marshal(out)
	h := http.Header{}
	e.mu.Lock()
	e.usageHeaders(h, e.tokenAccount(c.token), nil)
	e.mu.Unlock()
	return answer{status: http.StatusOK, body: b, header: h}
}

// listParams reads limit, after and before.
type listParams struct {
	limit         int
	after, before string
}

func readList(v url.Values, def, maxLimit int) (listParams, *graphError) {
	lp := listParams{limit: def, after: v.Get("after"), before: v.Get("before")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return lp, paramErr("The parameter limit must be a non-negative integer")
		}
		if n == 0 {
			n = def
		}
		lp.limit = min(n, maxLimit)
	}
	return lp, nil
}

// cursor encodes a position in a list as Graph-style opaque base64.
func encodeCursor(id string, idx int) string {
	return b64(id + ":" + strconv.Itoa(idx))
}

func decodeCursor(cur string, ids []string) (int, bool) {
	raw, ok := unb64(cur)
	if !ok {
		return 0, false
	}
	id, idxs, _ := strings.Cut(raw, ":")
	for i, x := range ids {
		if x == id {
			return i, true
		}
	}
	idx, err := strconv.Atoi(idxs)
	if err != nil {
		return 0, false
	}
	return idx, true
}

// pageOf cuts one page out of a list of ids, giving the slice bounds and the
// paging object; path and query make the absolute next/previous URLs.
func (e *Emulator) pageOf(c *call, ids []string, lp listParams, path string, query url.Values) (int, int, map[string]any, *graphError) {
	start, end := 0, len(ids)
	if lp.after != "" {
		i, ok := decodeCursor(lp.after, ids)
		if !ok {
			return 0, 0, nil, paramErr("The parameter after is not a valid cursor")
		}
		start = i + 1
	} else if lp.before != "" {
		i, ok := decodeCursor(lp.before, ids)
		if !ok {
			return 0, 0, nil, paramErr("The parameter before is not a valid cursor")
		}
		end = min(i, len(ids))
		start = max(0, end-lp.limit)
	}
	start = min(max(start, 0), len(ids))
	end = min(end, start+lp.limit)
	if start >= end {
		return start, start, nil, nil
	}
	paging := map[string]any{"cursors": map[string]string{
		"before": encodeCursor(ids[start], start),
		"after":  encodeCursor(ids[end-1], end-1),
	}}
	link := func(key, cur string) string {
		q := url.Values{}
		for k, vs := range query {
			q[k] = vs
		}
		q.Del("after")
		q.Del("before")
		q.Del("appsecret_proof")
		q.Del("method")
		q.Del("format")
		q.Set("access_token", c.token)
		q.Set("limit", strconv.Itoa(lp.limit))
		q.Set(key, cur)
		v := c.version
		if v == "" {
			v = defaultVersion
		}
		return e.base + v + "/" + path + "?" + q.Encode()
	}
	if end < len(ids) {
		paging["next"] = link("after", encodeCursor(ids[end-1], end-1))
	}
	if start > 0 {
		paging["previous"] = link("before", encodeCursor(ids[start], start))
	}
	return start, end, paging, nil
}

// parseTime reads since/until: unix seconds or ISO 8601.
func parseTime(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (c *call) timeFormat() string {
	switch df := c.params.Get("date_format"); {
	case df == "U":
		return "U"
	case strings.Contains(df, "P"):
		return time.RFC3339
	}
	return "2006-01-02T15:04:05-0700"
}

func (c *call) fmtTime(t time.Time) any {
	f := c.timeFormat()
	if f == "U" {
		return t.Unix()
	}
	return t.UTC().Format(f)
}

func jsonBytes(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(buf.Bytes(), "\n")
}
