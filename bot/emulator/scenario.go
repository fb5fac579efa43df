package emulator

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/uppsikt/uppsikt/moderation"
)

//go:embed scenarios/*.yaml
var embeddedScenarios embed.FS

// Scenario is the expanded content of an emulated municipality: its accounts,
// a year of posts and their comments. Times are kept relative (Age, the
// duration before the emulator's "now"), so that a scenario loads the same
// way whatever the clock says; New turns them into absolute times.
type Scenario struct {
	Name      string
	Language  string
	Source    string // the embedded name or the file path it came from
	UserToken string
	Accounts  []ScenarioAccount
	Posts     []ScenarioPost

	// The written texts, kept for live mode.
	commentPool []scenarioComment
	pageReplies []string
	replyPool   []fileReply
	authors     []Author
	seed        int64
}

// ScenarioAccount is one account of a scenario.
type ScenarioAccount struct {
	Key      string
	Platform string // "facebook" or "instagram"
	ID       string
	Name     string
	Token    string
	Page     string // for Instagram: the key of the linked Facebook page
}

// ScenarioPost is one generated post with its comment threads.
type ScenarioPost struct {
	AccountKey string
	Message    string
	Age        time.Duration // before the emulator's now
	Picture    bool
	Months     []int // the months the text belongs to (empty = any); New places it in one when it can
	Comments   []ScenarioComment
}

// ScenarioComment is one generated comment (Replies holds its replies).
// Labels are the removal categories the scenario author intends it to carry;
// the Graph API never serves them.
type ScenarioComment struct {
	Author   Author
	ByPage   bool
	Message  string
	Age      time.Duration
	Labels   []string
	Question bool
	Register bool
	Replies  []ScenarioComment
	specific bool // written for its post's text: moves with the text
}

// Author is a commenter as the platform names them.
type Author struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username,omitempty"`
}

// Summary counts what a scenario holds.
type Summary struct {
	Name        string           `json:"name"`
	Language    string           `json:"language"`
	Posts       int              `json:"posts"`
	Comments    int              `json:"comments"` // top-level comments
	Replies     int              `json:"replies"`
	Labelled    int              `json:"labelled"` // comments and replies with at least one label
	Questions   int              `json:"questions"`
	Register    int              `json:"register"`
	PerCategory map[string]int   `json:"per_category"` // comments and replies carrying each label
	PerAccount  []AccountSummary `json:"per_account"`
	WrittenText int              `json:"written_texts"` // distinct comment texts written in the file
}

// AccountSummary counts one account's share of a scenario.
type AccountSummary struct {
	Key      string `json:"key"`
	Platform string `json:"platform"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Posts    int    `json:"posts"`
	Comments int    `json:"comments"`
	Replies  int    `json:"replies"`
}

// Summary counts posts, comments, replies, labels per category and per account.
func (s *Scenario) Summary() Summary {
	sum := Summary{Name: s.Name, Language: s.Language, PerCategory: map[string]int{}, WrittenText: len(s.commentPool)}
	for _, c := range moderation.Categories() {
		sum.PerCategory[c] = 0
	}
	per := map[string]*AccountSummary{}
	for _, a := range s.Accounts {
		sum.PerAccount = append(sum.PerAccount, AccountSummary{Key: a.Key, Platform: a.Platform, ID: a.ID, Name: a.Name})
	}
	for i := range sum.PerAccount {
		per[sum.PerAccount[i].Key] = &sum.PerAccount[i]
	}
	count := func(c ScenarioComment) {
		if len(c.Labels) > 0 {
			sum.Labelled++
		}
		for _, l := range c.Labels {
			sum.PerCategory[l]++
		}
		if c.Question {
			sum.Questions++
		}
		if c.Register {
			sum.Register++
		}
	}
	for _, p := range s.Posts {
		sum.Posts++
		a := per[p.AccountKey]
		a.Posts++
		for _, c := range p.Comments {
			sum.Comments++
			a.Comments++
			count(c)
			for _, r := range c.Replies {
				sum.Replies++
				a.Replies++
				count(r)
			}
		}
	}
	return sum
}

// EmbeddedScenarios lists the names LoadScenario accepts without a file.
func EmbeddedScenarios() []string {
	entries, err := embeddedScenarios.ReadDir("scenarios")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// LoadScenario loads an embedded scenario by name ("sv", "da") or a YAML or
// JSON scenario file by path, and expands it deterministically.
func LoadScenario(nameOrPath string) (*Scenario, error) {
	var data []byte
	var err error
	source := nameOrPath
	if !strings.ContainsAny(nameOrPath, `/\.`) {
		data, err = embeddedScenarios.ReadFile("scenarios/" + nameOrPath + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("emulator: no embedded scenario %q (have %s): %w", nameOrPath, strings.Join(EmbeddedScenarios(), ", "), err)
		}
		source = nameOrPath + ".yaml"
	} else {
		data, err = os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("emulator: read scenario: %w", err)
		}
	}
	s, err := ParseScenario(source, data)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// scenarioFile is the written form of a scenario (see doc.go).
type scenarioFile struct {
	Name      string            `yaml:"name"`
	Language  string            `yaml:"language"`
	Seed      int64             `yaml:"seed"`
	Days      int               `yaml:"days"`
	UserToken string            `yaml:"user_token"`
	Accounts  []fileAccount     `yaml:"accounts"`
	Authors   []string          `yaml:"authors"`
	Posts     []filePost        `yaml:"posts"`
	Comments  []scenarioComment `yaml:"comments"`
	PageReply []string          `yaml:"page_replies"`
	Replies   []fileReply       `yaml:"replies"`
	// OrdinaryWeight is how many times more often an unlabelled comment is
	// drawn than a labelled one (default 1), so that removable comments stay
	// a realistic minority.
	OrdinaryWeight int `yaml:"ordinary_weight"`
}

type fileAccount struct {
	Key             string `yaml:"key"`
	Platform        string `yaml:"platform"`
	ID              string `yaml:"id"`
	Name            string `yaml:"name"`
	Token           string `yaml:"token"`
	Page            string `yaml:"page"`
	Posts           int    `yaml:"posts"`
	CommentsPerPost [2]int `yaml:"comments_per_post"`
	ReplyShare      int    `yaml:"reply_percent"` // share of comments that get a random reply
	// QuietDays is how many of the last days the account has posted
	// nothing: an account left unattended, for the account health's
	// inactivity warning. Its posts spread over the days before them.
	QuietDays int `yaml:"quiet_days"`
}

type filePost struct {
	Account  string            `yaml:"account"` // account key; empty = any Facebook account
	Text     string            `yaml:"text"`
	Picture  bool              `yaml:"picture"`
	Months   []int             `yaml:"months"` // months (1–12) the text belongs to; empty = any
	Comments []scenarioComment `yaml:"comments"`
	line     int
}

func (p *filePost) UnmarshalYAML(n *yaml.Node) error {
	type plain filePost
	var v plain
	if n.Kind == yaml.ScalarNode {
		v.Text = n.Value
	} else if err := decodeStrict(n, &v, "account", "text", "picture", "months", "comments"); err != nil {
		return err
	}
	*p = filePost(v)
	p.line = n.Line
	return nil
}

// scenarioComment is a written comment: a plain string, or a mapping with
// text, labels, question, register and replies.
type scenarioComment struct {
	Text     string      `yaml:"text"`
	Labels   []string    `yaml:"labels"`
	Question bool        `yaml:"question"`
	Register bool        `yaml:"register"`
	Replies  []fileReply `yaml:"replies"`
	line     int
	labLine  int
}

func (c *scenarioComment) UnmarshalYAML(n *yaml.Node) error {
	type plain scenarioComment
	var v plain
	if n.Kind == yaml.ScalarNode {
		v.Text = n.Value
	} else if err := decodeStrict(n, &v, "text", "labels", "question", "register", "replies"); err != nil {
		return err
	}
	*c = scenarioComment(v)
	c.line = n.Line
	c.labLine = valueLine(n, "labels")
	return nil
}

// fileReply is a written reply: "page: text" for the page's own answer,
// or a plain string (or a mapping like a comment) for a visitor's.
type fileReply struct {
	Page     string   `yaml:"page"`
	Text     string   `yaml:"text"`
	Labels   []string `yaml:"labels"`
	Question bool     `yaml:"question"`
	Register bool     `yaml:"register"`
	line     int
	labLine  int
}

func (r *fileReply) UnmarshalYAML(n *yaml.Node) error {
	type plain fileReply
	var v plain
	if n.Kind == yaml.ScalarNode {
		v.Text = n.Value
	} else if err := decodeStrict(n, &v, "page", "text", "labels", "question", "register"); err != nil {
		return err
	}
	*r = fileReply(v)
	r.line = n.Line
	r.labLine = valueLine(n, "labels")
	return nil
}

// valueLine is the line of key's value in a mapping node, or the node's own line.
func valueLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Line
		}
	}
	return n.Line
}

// decodeStrict decodes a mapping node rejecting keys not in known, naming
// the line (a custom UnmarshalYAML does not inherit the decoder's KnownFields).
func decodeStrict(n *yaml.Node, v any, known ...string) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !slices.Contains(known, k.Value) {
				return fmt.Errorf("line %d: unknown field %q (want one of %s)", k.Line, k.Value, strings.Join(known, ", "))
			}
		}
	}
	return n.Decode(v)
}

// ParseScenario parses and expands a scenario from YAML or JSON. source names
// the file in error messages, which also carry the line.
func ParseScenario(source string, data []byte) (*Scenario, error) {
	var f scenarioFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("emulator: scenario %s: %w", source, err)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("emulator: scenario %s: %w", source, err)
	}
	s := f.expand()
	s.Source = source
	return s, nil
}

func (f *scenarioFile) validate() error {
	if f.Name == "" {
		return errors.New("line 1: name is required")
	}
	if f.Days < 0 || f.Days > 3650 || f.OrdinaryWeight < 0 || f.OrdinaryWeight > 100 {
		return errors.New("days wants 0–3650 and ordinary_weight 0–100")
	}
	if f.Language != "sv" && f.Language != "da" {
		return fmt.Errorf("language %q: want sv or da", f.Language)
	}
	if len(f.Accounts) == 0 {
		return errors.New("no accounts")
	}
	keys := map[string]fileAccount{}
	for i, a := range f.Accounts {
		if a.Key == "" || a.ID == "" || a.Name == "" {
			return fmt.Errorf("account %d: key, id and name are required", i+1)
		}
		if a.Platform != "facebook" && a.Platform != "instagram" {
			return fmt.Errorf("account %s: platform %q: want facebook or instagram", a.Key, a.Platform)
		}
		if _, dup := keys[a.Key]; dup {
			return fmt.Errorf("account %s: duplicate key", a.Key)
		}
		keys[a.Key] = a
	}
	for _, a := range f.Accounts {
		switch a.Platform {
		case "facebook":
			if a.Token == "" {
				return fmt.Errorf("account %s: a Facebook page needs a token", a.Key)
			}
		case "instagram":
			if p, ok := keys[a.Page]; !ok || p.Platform != "facebook" {
				return fmt.Errorf("account %s: page %q must name a Facebook account", a.Key, a.Page)
			}
		}
		if a.CommentsPerPost[0] < 0 || a.CommentsPerPost[1] < a.CommentsPerPost[0] || a.CommentsPerPost[1] > 200 {
			return fmt.Errorf("account %s: comments_per_post [min, max] wants 0 ≤ min ≤ max ≤ 200", a.Key)
		}
		if a.Posts < 0 || a.Posts > 5000 || a.ReplyShare < 0 || a.ReplyShare > 100 {
			return fmt.Errorf("account %s: posts wants 0–5000 and reply_percent 0–100", a.Key)
		}
		if days := cmp.Or(f.Days, 365); a.QuietDays < 0 || a.QuietDays > days-2 {
			return fmt.Errorf("account %s: quiet_days wants 0–%d (fewer than the scenario's days)", a.Key, days-2)
		}
	}
	if len(f.Authors) < 2 {
		return errors.New("authors: at least two are needed")
	}
	if len(f.Comments) == 0 {
		return errors.New("comments: none written")
	}
	valid := map[string]bool{}
	for _, c := range moderation.Categories() {
		valid[c] = true
	}
	checkLabels := func(line int, labels []string) error {
		for _, l := range labels {
			if !valid[l] {
				return fmt.Errorf("line %d: unknown label %q (want one of %s)", line, l, strings.Join(moderation.Categories(), ", "))
			}
		}
		return nil
	}
	checkComment := func(c scenarioComment) error {
		if strings.TrimSpace(c.Text) == "" {
			return fmt.Errorf("line %d: empty comment text", c.line)
		}
		if err := checkLabels(c.labLine, c.Labels); err != nil {
			return err
		}
		for _, r := range c.Replies {
			if r.Page == "" && strings.TrimSpace(r.Text) == "" {
				return fmt.Errorf("line %d: empty reply", r.line)
			}
			if err := checkLabels(r.labLine, r.Labels); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range f.Comments {
		if err := checkComment(c); err != nil {
			return err
		}
	}
	for _, r := range f.Replies {
		if strings.TrimSpace(r.Text) == "" || r.Page != "" {
			return fmt.Errorf("line %d: a reply in replies needs text (page replies go in page_replies)", r.line)
		}
		if err := checkLabels(r.labLine, r.Labels); err != nil {
			return err
		}
	}
	for _, p := range f.Posts {
		if strings.TrimSpace(p.Text) == "" {
			return fmt.Errorf("line %d: empty post text", p.line)
		}
		for _, m := range p.Months {
			if m < 1 || m > 12 {
				return fmt.Errorf("line %d: month %d: want 1–12", p.line, m)
			}
		}
		if p.Account != "" {
			if _, ok := keys[p.Account]; !ok {
				return fmt.Errorf("line %d: unknown account %q", p.line, p.Account)
			}
		}
		for _, c := range p.Comments {
			if err := checkComment(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// expand spreads the written texts over the scenario's days, deterministically
// for its seed: every written comment is used at least once per account that
// has enough comment slots, then the deck is reshuffled and reused.
func (f *scenarioFile) expand() *Scenario {
	days := f.Days
	if days <= 0 {
		days = 365
	}
	rng := rand.New(rand.NewPCG(uint64(f.Seed), 0x5eed))
	s := &Scenario{
		Name: f.Name, Language: f.Language, UserToken: f.UserToken,
		commentPool: f.Comments, pageReplies: f.PageReply, replyPool: f.Replies, seed: f.Seed,
	}
	if s.UserToken == "" {
		s.UserToken = "EMU-user-" + f.Language
	}
	tokens := map[string]string{}
	for _, a := range f.Accounts {
		tokens[a.Key] = a.Token
	}
	for _, a := range f.Accounts {
		tok := a.Token
		if a.Platform == "instagram" {
			tok = tokens[a.Page]
		}
		s.Accounts = append(s.Accounts, ScenarioAccount{Key: a.Key, Platform: a.Platform, ID: a.ID, Name: a.Name, Token: tok, Page: a.Page})
	}
	for _, name := range f.Authors {
		s.authors = append(s.authors, makeAuthor(name))
	}
	for _, a := range f.Accounts {
		var texts []filePost
		for _, p := range f.Posts {
			if p.Account == a.Key || (p.Account == "" && a.Platform == "facebook") {
				texts = append(texts, p)
			}
		}
		if len(texts) == 0 || a.Posts <= 0 {
			continue
		}
		lo, hi := a.CommentsPerPost[0], a.CommentsPerPost[1]
		if hi == 0 {
			lo, hi = 2, 10
		}
		replyPct := a.ReplyShare
		if replyPct == 0 {
			replyPct = 20
		}
		postDeck := newDeck(rng, len(texts))
		var weighted []int
		for ci, c := range f.Comments {
			n := 1
			if len(c.Labels) == 0 && f.OrdinaryWeight > 1 {
				n = f.OrdinaryWeight
			}
			for range n {
				weighted = append(weighted, ci)
			}
		}
		commentDeck := newDeck(rng, len(weighted))
		used := map[int]bool{}
		for i := range a.Posts {
			ti := postDeck.next()
			fp := texts[ti]
			// Spread evenly over the days with jitter; day 0 is today.
			// An account quiet for its last QuietDays posts before them.
			day := 1 + a.QuietDays + (days-1-a.QuietDays)*(a.Posts-1-i)/max(a.Posts, 1)
			secs := 7*3600 + rng.IntN(10*3600) // between 07:00 and 17:00
			age := time.Duration(day)*24*time.Hour - time.Duration(secs)*time.Second
			p := ScenarioPost{AccountKey: a.Key, Message: fp.Text, Age: age, Picture: fp.Picture || a.Platform == "instagram", Months: fp.Months}
			var written []scenarioComment
			if !used[ti] {
				written = append(written, fp.Comments...)
				used[ti] = true
			}
			nSpecific := len(written)
			n := lo + rng.IntN(hi-lo+1)
			for range n {
				written = append(written, f.Comments[weighted[commentDeck.next()]])
			}
			// Comments arrive after the post, minutes to hours apart, and
			// squeezed closer on recent posts so that none lies in the future.
			cage := age
			step := min(240, int(age/time.Minute)/(2*len(written)+2))
			for k, wc := range written {
				cage -= time.Duration(1+rng.IntN(max(step, 1))) * time.Minute
				if cage < time.Minute {
					cage = time.Minute
				}
				c := ScenarioComment{
					Author: s.authors[rng.IntN(len(s.authors))], Message: wc.Text, Age: cage,
					Labels: slices.Clone(wc.Labels), Question: wc.Question, Register: wc.Register,
					specific: k < nSpecific,
				}
				rage := cage
				rstep := min(600, int(cage/time.Minute)/4)
				for _, wr := range wc.Replies {
					rage -= time.Duration(1+rng.IntN(max(rstep, 1))) * time.Minute
					if rage < 30*time.Second {
						rage = 30 * time.Second
					}
					c.Replies = append(c.Replies, s.replyFrom(rng, wr, rage))
				}
				if len(wc.Replies) == 0 && rng.IntN(100) < replyPct {
					rage -= time.Duration(1+rng.IntN(max(rstep, 1))) * time.Minute
					if rage < 30*time.Second {
						rage = 30 * time.Second
					}
					var wr fileReply
					if rng.IntN(2) == 0 && len(f.PageReply) > 0 {
						wr.Page = f.PageReply[rng.IntN(len(f.PageReply))]
					} else if len(f.Replies) > 0 {
						wr = f.Replies[rng.IntN(len(f.Replies))]
					}
					if wr.Page != "" || wr.Text != "" {
						c.Replies = append(c.Replies, s.replyFrom(rng, wr, rage))
					}
				}
				p.Comments = append(p.Comments, c)
			}
			s.Posts = append(s.Posts, p)
		}
	}
	return s
}

func (s *Scenario) replyFrom(rng *rand.Rand, wr fileReply, age time.Duration) ScenarioComment {
	if wr.Page != "" {
		return ScenarioComment{ByPage: true, Message: wr.Page, Age: age}
	}
	return ScenarioComment{
		Author: s.authors[rng.IntN(len(s.authors))], Message: wr.Text, Age: age,
		Labels: slices.Clone(wr.Labels), Question: wr.Question, Register: wr.Register,
	}
}

// deck deals indexes 0..n-1 in shuffled order, reshuffling when exhausted.
type deck struct {
	rng   *rand.Rand
	order []int
	pos   int
}

func newDeck(rng *rand.Rand, n int) *deck {
	d := &deck{rng: rng, order: make([]int, n)}
	for i := range d.order {
		d.order[i] = i
	}
	d.shuffle()
	return d
}

func (d *deck) shuffle() {
	d.rng.Shuffle(len(d.order), func(i, j int) { d.order[i], d.order[j] = d.order[j], d.order[i] })
	d.pos = 0
}

func (d *deck) next() int {
	if d.pos >= len(d.order) {
		d.shuffle()
	}
	v := d.order[d.pos]
	d.pos++
	return v
}

// makeAuthor gives a commenter a stable numeric id and an Instagram username.
func makeAuthor(name string) Author {
	h := fnv.New64a()
	h.Write([]byte(name))
	id := fmt.Sprintf("10%014d", h.Sum64()%100000000000000)
	user := strings.ToLower(strings.Join(strings.Fields(name), "."))
	user = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "æ", "ae", "ø", "o", "é", "e").Replace(user)
	return Author{ID: id, Name: name, Username: user}
}
