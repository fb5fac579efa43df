package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure an Emulator.
type Options struct {
	Scenario  *Scenario
	AppID     string
	AppSecret string           // signs webhooks and checks appsecret_proof when one is sent
	Now       func() time.Time // the clock; time.Now when nil
	Logger    *slog.Logger
	Seed      int64 // randomness of live mode and of probabilistic faults

	// RequireAppsecretProof makes calls without appsecret_proof fail, as
	// when "Require App Secret" is switched on in the app's settings.
	RequireAppsecretProof bool
	// AppCallBudget is the number of calls per UsageWindow that makes
	// X-App-Usage call_count reach 100 (default 20000).
	AppCallBudget int
	// PageCallBudget is the number of calls per page per 24 hours that makes
	// the page's X-Business-Use-Case-Usage call_count reach 100 (default 48000).
	PageCallBudget int
	// UsageWindow is the rolling window of the app usage (default one hour).
	UsageWindow time.Duration
	// WebhookRetries is how many times a failed delivery is retried (default 5),
	// WebhookBackoff the first wait between tries, doubled each time (default 500ms).
	WebhookRetries int
	WebhookBackoff time.Duration
	// DeliveryLog is how many of the latest webhook delivery attempts State
	// lists (default 1000); a harness that compares every delivered text
	// with what was stored sets it above the attempts it expects.
	DeliveryLog int
	// HTTPClient delivers webhooks (default a client with a 10 s timeout).
	HTTPClient *http.Client
}

// Account is an emulated account as uppsikt would configure it.
type Account struct {
	Platform string // "facebook" or "instagram"
	ID       string
	Name     string
	Token    string // the page access token (an Instagram account uses its page's)
	Language string // "sv" or "da"
	PageURL  string // the emulator's web page of the account
}

// Emulator serves an emulated Graph API, a control API under /_emulator/ and
// web pages under /web/. It is safe for concurrent use.
type Emulator struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	appTok string

	mu        sync.Mutex
	base      string
	scenario  *Scenario
	accounts  []*account
	byID      map[string]*account
	byToken   map[string][]*account
	posts     map[string]*post
	comments  map[string]*comment
	revoked   map[string]int // token → 190 subcode
	actions   []Action
	faults    []*faultState
	stats     map[string]int
	statsAcct map[string]int
	total     int
	appCalls  []time.Time
	pageCalls map[string][]time.Time
	rng       *rand.Rand
	nextID    int64
	trace     int64
	subs      map[string][]string // account id → subscribed fields
	hooks     []webhookTarget

	held       []hookJob  // events held back by a webhook_reorder fault
	deliveries []Delivery // recent delivery attempts, for /_emulator/state
	events     int64      // webhook events made, for Delivery.Event

	hookq  chan hookJob
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type account struct {
	Key, Platform, ID, Name, Token, Language, Page string
	posts                                          []*post // newest first
}

type post struct {
	ID      string
	Account *account
	Message string
	Created time.Time
	Updated time.Time
	Picture bool
	Likes   int
	Deleted bool
	top     []*comment // creation order
}

type comment struct {
	ID             string
	Post           *post
	Parent         *comment
	From           Author
	ByPage         bool
	Message        string
	Created        time.Time
	Hidden         bool
	Deleted        bool
	DeletedBy      string
	Likes          int
	Labels         []string
	Question       bool
	Register       bool
	PrivateReplied bool
	Edits          int
	texts          []string // every text the comment has had, oldest first
	replies        []*comment
}

// edit gives the comment a new text, as its author (or the page, for its
// own comments) edits it; the platform shows only the latest, the emulator
// remembers every one for State. The caller holds e.mu.
func (c *comment) edit(message string) {
	c.Message = message
	c.Edits++
	c.texts = append(c.texts, message)
}

// Action is one change received through the API, kept for /_emulator/state.
type Action struct {
	Time     time.Time `json:"time"`
	Kind     string    `json:"kind"` // hide, unhide, delete, reply, private_reply
	ObjectID string    `json:"object_id"`
	Account  string    `json:"account"` // the page (or Instagram account) of the acting token
	NewID    string    `json:"new_id,omitempty"`
	Message  string    `json:"message,omitempty"`
}

// New builds an emulator from a scenario and starts its webhook delivery
// goroutine; Close stops it.
func New(opts Options) (*Emulator, error) {
	if opts.Scenario == nil {
		return nil, errors.New("emulator: Options.Scenario is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AppID == "" {
		opts.AppID = "1000000000000001"
	}
	if opts.AppCallBudget <= 0 {
		opts.AppCallBudget = 20000
	}
	if opts.PageCallBudget <= 0 {
		opts.PageCallBudget = 48000
	}
	if opts.UsageWindow <= 0 {
		opts.UsageWindow = time.Hour
	}
	if opts.WebhookRetries <= 0 {
		opts.WebhookRetries = 5
	}
	if opts.WebhookBackoff <= 0 {
		opts.WebhookBackoff = 500 * time.Millisecond
	}
	if opts.DeliveryLog <= 0 {
		opts.DeliveryLog = 1000
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	e := &Emulator{
		opts: opts, now: opts.Now, log: opts.Logger,
		appTok:    opts.AppID + "|" + opts.AppSecret,
		base:      "http://127.0.0.1/",
		scenario:  opts.Scenario,
		byID:      map[string]*account{},
		byToken:   map[string][]*account{},
		posts:     map[string]*post{},
		comments:  map[string]*comment{},
		revoked:   map[string]int{},
		stats:     map[string]int{},
		statsAcct: map[string]int{},
		pageCalls: map[string][]time.Time{},
		subs:      map[string][]string{},
		rng:       rand.New(rand.NewPCG(uint64(opts.Seed), uint64(opts.Scenario.seed))),
		nextID:    1000,
		hookq:     make(chan hookJob, 4096),
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.load(opts.Scenario)
	e.wg.Add(1)
	go e.deliverLoop()
	return e, nil
}

func (e *Emulator) load(s *Scenario) {
	now := e.now()
	keys := map[string]*account{}
	for _, sa := range s.Accounts {
		a := &account{Key: sa.Key, Platform: sa.Platform, ID: sa.ID, Name: sa.Name, Token: sa.Token, Language: s.Language}
		keys[sa.Key] = a
		e.accounts = append(e.accounts, a)
		e.byID[a.ID] = a
		e.byToken[a.Token] = append(e.byToken[a.Token], a)
	}
	for _, sa := range s.Accounts {
		if sa.Page != "" {
			keys[sa.Key].Page = keys[sa.Page].ID
		}
	}
	// Posts in scenario order are oldest first per account. A seasonal
	// text (midsummer, Christmas, snow) changes place with another post so
	// that it lands in one of its months, taking its own comments along.
	src := seasonalOrder(s.Posts, now)
	counters := map[string]int{}
	for i, sp := range s.Posts {
		a := keys[sp.AccountKey]
		content := s.Posts[src[i]]
		shift := sp.Age - content.Age
		counters[a.ID]++
		p := &post{Account: a, Message: content.Message, Created: now.Add(-sp.Age).Truncate(time.Second), Picture: content.Picture, Likes: int(sp.Age % 97)}
		p.Updated = p.Created
		if a.Platform == "facebook" {
			p.ID = fmt.Sprintf("%s_%d", a.ID, 100000000000000+int64(counters[a.ID])*7919)
		} else {
			p.ID = fmt.Sprintf("179%014d", int64(counters[a.ID])*104729+idSalt(a.ID))
		}
		e.posts[p.ID] = p
		a.posts = append(a.posts, p)
		var thread []ScenarioComment
		for _, sc := range content.Comments {
			if sc.specific {
				thread = append(thread, shiftAges(sc, shift))
			}
		}
		for _, sc := range sp.Comments {
			if !sc.specific {
				thread = append(thread, sc)
			}
		}
		slices.SortStableFunc(thread, func(x, y ScenarioComment) int { return int(y.Age - x.Age) })
		for _, sc := range thread {
			c := e.newComment(p, nil, sc.Author, sc.ByPage, sc.Message, now.Add(-sc.Age).Truncate(time.Second))
			c.Labels, c.Question, c.Register = sc.Labels, sc.Question, sc.Register
			for _, sr := range sc.Replies {
				r := e.newComment(p, c, sr.Author, sr.ByPage, sr.Message, now.Add(-sr.Age).Truncate(time.Second))
				r.Labels, r.Question, r.Register = sr.Labels, sr.Question, sr.Register
			}
		}
	}
	for _, a := range e.accounts {
		sortPosts(a.posts)
	}
}

// seasonalOrder says, for each post slot, which post's text (with its own
// comments) goes there: itself, or a seasonal text swapped in so that it
// falls in one of its months. Only posts of the same account change places.
func seasonalOrder(posts []ScenarioPost, now time.Time) []int {
	src := make([]int, len(posts))
	for i := range src {
		src[i] = i
	}
	month := func(i int) int { return int(now.Add(-posts[i].Age).Month()) }
	fits := func(content, slot int) bool {
		ms := posts[content].Months
		return len(ms) == 0 || slices.Contains(ms, month(slot))
	}
	for i := range posts {
		if fits(src[i], i) {
			continue
		}
		for j := range posts {
			if j == i || posts[j].AccountKey != posts[i].AccountKey {
				continue
			}
			if fits(src[i], j) && fits(src[j], i) {
				src[i], src[j] = src[j], src[i]
				break
			}
		}
	}
	// What no swap can place may still move in a cycle of three.
	for i := range posts {
		if fits(src[i], i) {
			continue
		}
	search:
		for j := range posts {
			if j == i || posts[j].AccountKey != posts[i].AccountKey || !fits(src[i], j) {
				continue
			}
			for k := range posts {
				if k == i || k == j || posts[k].AccountKey != posts[i].AccountKey {
					continue
				}
				if fits(src[j], k) && fits(src[k], i) {
					src[i], src[j], src[k] = src[k], src[i], src[j]
					break search
				}
			}
		}
	}
	return src
}

// shiftAges moves a comment and its replies by d, keeping them in the past.
func shiftAges(c ScenarioComment, d time.Duration) ScenarioComment {
	c.Age = max(c.Age+d, 30*time.Second)
	c.Replies = slices.Clone(c.Replies)
	for i := range c.Replies {
		c.Replies[i].Age = max(c.Replies[i].Age+d, 20*time.Second)
	}
	return c
}

func idSalt(s string) int64 {
	var h int64
	for _, c := range s {
		h = (h*31 + int64(c)) % 1000
	}
	return h
}

func sortPosts(ps []*post) {
	slices.SortStableFunc(ps, func(a, b *post) int { return b.Created.Compare(a.Created) })
}

// newComment creates a comment (or reply when parent is set) and links it in.
// The caller holds e.mu or has not shared e yet.
func (e *Emulator) newComment(p *post, parent *comment, from Author, byPage bool, msg string, at time.Time) *comment {
	e.nextID++
	c := &comment{Post: p, Parent: parent, From: from, ByPage: byPage, Message: msg, Created: at, Likes: int(e.nextID % 7), texts: []string{msg}}
	if byPage {
		c.From = Author{ID: p.Account.ID, Name: p.Account.Name, Username: p.Account.Name}
		if p.Account.Platform == "instagram" {
			c.From.Username = p.Account.Name
		}
	}
	if p.Account.Platform == "facebook" {
		_, postNum, _ := strings.Cut(p.ID, "_")
		c.ID = postNum + "_" + strconv.FormatInt(e.nextID, 10)
	} else {
		c.ID = fmt.Sprintf("180%014d", e.nextID)
	}
	e.comments[c.ID] = c
	if parent != nil {
		parent.replies = append(parent.replies, c)
	} else {
		p.top = append(p.top, c)
	}
	return c
}

// SetBaseURL sets the address the emulator is reached at, such as
// "http://127.0.0.1:41234/"; it is used in paging.next and permalink_url.
func (e *Emulator) SetBaseURL(base string) {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	e.mu.Lock()
	e.base = base
	e.mu.Unlock()
}

// Accounts lists the emulated accounts with their tokens.
func (e *Emulator) Accounts() []Account {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Account, 0, len(e.accounts))
	for _, a := range e.accounts {
		out = append(out, Account{Platform: a.Platform, ID: a.ID, Name: a.Name, Token: a.Token, Language: a.Language, PageURL: e.base + "web/" + a.ID})
	}
	return out
}

// UserToken is the scenario's user token, which /me/accounts accepts.
func (e *Emulator) UserToken() string { return e.scenario.UserToken }

// AppAccessToken is the app token ("app-id|app-secret") debug_token accepts.
func (e *Emulator) AppAccessToken() string { return e.appTok }

// Close stops webhook delivery and waits for it. It is safe to call twice.
func (e *Emulator) Close() error {
	e.cancel()
	e.wg.Wait()
	return nil
}

// sleep waits d or until Close; it reports false when closed.
func (e *Emulator) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.ctx.Done():
		return false
	case <-ctx.Done():
		return false
	}
}

// ownerOf names the account an object id belongs to, and what kind it is.
func (e *Emulator) lookup(id string) (kind string, a *account, p *post, c *comment) {
	if acc, ok := e.byID[id]; ok {
		if acc.Platform == "facebook" {
			return "page", acc, nil, nil
		}
		return "iguser", acc, nil, nil
	}
	if p, ok := e.posts[id]; ok {
		if p.Account.Platform == "facebook" {
			return "post", p.Account, p, nil
		}
		return "media", p.Account, p, nil
	}
	if c, ok := e.comments[id]; ok {
		if c.Post.Account.Platform == "facebook" {
			return "comment", c.Post.Account, c.Post, c
		}
		return "igcomment", c.Post.Account, c.Post, c
	}
	return "", nil, nil, nil
}

func (e *Emulator) permalinkPost(p *post) string {
	return e.base + "web/" + p.Account.ID + "/posts/" + p.ID
}

func (e *Emulator) permalinkComment(c *comment) string {
	return e.permalinkPost(c.Post) + "?comment_id=" + c.ID
}

// visibleReplies returns the replies that are not deleted.
func (c *comment) visibleReplies() []*comment {
	var out []*comment
	for _, r := range c.replies {
		if !r.Deleted {
			out = append(out, r)
		}
	}
	return out
}

// threadComments lists a post's comments: top level only (filtered view) or
// every comment and reply (stream), in chronological order.
func (p *post) threadComments(stream bool) []*comment {
	var out []*comment
	for _, c := range p.top {
		if c.Deleted {
			continue
		}
		out = append(out, c)
		if stream {
			out = append(out, c.visibleReplies()...)
		}
	}
	if stream {
		slices.SortStableFunc(out, func(a, b *comment) int { return a.Created.Compare(b.Created) })
	}
	return out
}
