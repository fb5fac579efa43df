package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"
)

// Stats is the answer of GET /_emulator/stats.
type Stats struct {
	Total      int            `json:"total"`
	ByEndpoint map[string]int `json:"by_endpoint"` // "GET /{page}/feed" → calls
	ByAccount  map[string]int `json:"by_account"`  // account id → calls
}

// Stats returns the Graph calls counted since the start or the last reset.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := Stats{Total: e.total, ByEndpoint: map[string]int{}, ByAccount: map[string]int{}}
	for k, v := range e.stats {
		st.ByEndpoint[k] = v
	}
	for k, v := range e.statsAcct {
		st.ByAccount[k] = v
	}
	return st
}

// ResetStats zeroes the call counters and the usage windows.
func (e *Emulator) ResetStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total = 0
	clear(e.stats)
	clear(e.statsAcct)
	e.appCalls = nil
	clear(e.pageCalls)
}

// State is the answer of GET /_emulator/state.
type State struct {
	Now        time.Time      `json:"now"`
	Accounts   []StateAccount `json:"accounts"`
	Actions    []Action       `json:"actions"`
	Webhooks   []string       `json:"webhooks"`
	Deliveries []Delivery     `json:"deliveries"`
	Revoked    map[string]int `json:"revoked"` // account id → 190 subcode of its revoked token
}

// StateAccount is one account with every post and comment, deleted ones included.
type StateAccount struct {
	Platform string      `json:"platform"`
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Posts    []StatePost `json:"posts"`
}

// StatePost is a post in State.
type StatePost struct {
	ID       string         `json:"id"`
	Message  string         `json:"message"`
	Created  time.Time      `json:"created_time"`
	Deleted  bool           `json:"deleted,omitempty"` // deleted as a whole (DeletePost)
	Comments []StateComment `json:"comments"`
}

// StateComment is a comment or reply in State. Labels are the removal
// categories the scenario meant it to carry (never served by the Graph API).
type StateComment struct {
	ID        string    `json:"id"`
	ParentID  string    `json:"parent_id,omitempty"`
	From      Author    `json:"from"`
	ByPage    bool      `json:"by_page,omitempty"`
	Message   string    `json:"message"`
	Created   time.Time `json:"created_time"`
	Hidden    bool      `json:"hidden"`
	Deleted   bool      `json:"deleted"`
	DeletedBy string    `json:"deleted_by,omitempty"` // "page" or "author"
	// Gone is true when no one can see the comment any more: it is
	// deleted, or it is a reply in a thread whose top-level comment was
	// deleted (on Facebook and Instagram a comment's replies go with it).
	Gone  bool `json:"gone,omitempty"`
	Edits int  `json:"edits,omitempty"`
	// Texts is every text the comment has had, oldest first; the last is
	// Message. The Graph API shows only the latest (it keeps no history), so
	// a text that was there only between two reads is seen by uppsikt only
	// if a webhook delivered it (see Delivery.TextSHA256).
	Texts    []string `json:"texts,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	Question bool     `json:"question,omitempty"`
	Register bool     `json:"register,omitempty"`
}

// State returns every post and comment with its flags and every action received.
// With account set, only that account's posts are listed.
func (e *Emulator) State(account string) State {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := State{Now: e.now(), Actions: slices.Clone(e.actions), Revoked: map[string]int{}, Deliveries: slices.Clone(e.deliveries)}
	if st.Actions == nil {
		st.Actions = []Action{}
	}
	for _, h := range e.hooks {
		st.Webhooks = append(st.Webhooks, h.CallbackURL)
	}
	for _, a := range e.accounts {
		if sub, ok := e.revoked[a.Token]; ok {
			st.Revoked[a.ID] = sub
		}
		if account != "" && a.ID != account {
			continue
		}
		sa := StateAccount{Platform: a.Platform, ID: a.ID, Name: a.Name}
		for _, p := range a.posts {
			sp := StatePost{ID: p.ID, Message: p.Message, Created: p.Created, Deleted: p.Deleted}
			var add func(c *comment)
			add = func(c *comment) {
				sc := StateComment{ID: c.ID, From: c.From, ByPage: c.ByPage, Message: c.Message, Created: c.Created,
					Hidden: c.Hidden, Deleted: c.Deleted, DeletedBy: c.DeletedBy, Gone: c.gone(), Edits: c.Edits, Texts: slices.Clone(c.texts),
					Labels: c.Labels, Question: c.Question, Register: c.Register}
				if c.Parent != nil {
					sc.ParentID = c.Parent.ID
				}
				sp.Comments = append(sp.Comments, sc)
				for _, r := range c.replies {
					add(r)
				}
			}
			for _, c := range p.top {
				add(c)
			}
			sa.Posts = append(sa.Posts, sp)
		}
		st.Accounts = append(st.Accounts, sa)
	}
	return st
}

// serveControl answers /_emulator/...
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request, rest string) {
	switch r.Method + " " + rest {
	case "GET accounts":
		writeJSON(w, http.StatusOK, map[string]any{"accounts": e.Accounts(), "user_token": e.scenario.UserToken, "app_id": e.opts.AppID})
	case "GET faults":
		e.mu.Lock()
		fs := make([]faultState, 0, len(e.faults))
		for _, f := range e.faults {
			fs = append(fs, *f)
		}
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"faults": fs})
	case "POST faults":
		var in struct {
			Faults []Fault `json:"faults"`
		}
		body, err := readBody(r)
		if err == nil {
			// One fault object or {"faults":[...]}.
			var one Fault
			if err = json.Unmarshal(body, &in); err != nil || len(in.Faults) == 0 {
				if err = json.Unmarshal(body, &one); err == nil {
					in.Faults = []Fault{one}
				}
			}
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "fault JSON: " + err.Error()})
			return
		}
		for _, f := range in.Faults {
			if err := f.validate(); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		}
		var ids []int
		e.mu.Lock()
		for _, f := range in.Faults {
			ids = append(ids, e.addFaultLocked(f))
		}
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"ids": ids})
	case "DELETE faults":
		e.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case "POST tokens":
		var in struct {
			Account string `json:"account"`
		}
		if body, _ := readBody(r); len(body) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "tokens JSON: " + err.Error()})
				return
			}
		}
		e.ResetTokens(in.Account)
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case "GET stats":
		writeJSON(w, http.StatusOK, e.Stats())
	case "POST stats/reset":
		e.ResetStats()
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case "GET state":
		writeJSON(w, http.StatusOK, e.State(r.URL.Query().Get("account")))
	case "GET summary":
		writeJSON(w, http.StatusOK, e.scenario.Summary())
	case "GET webhooks":
		e.mu.Lock()
		hooks := slices.Clone(e.hooks)
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"webhooks": hooks})
	case "POST webhooks":
		var reg WebhookRegistration
		if err := decodeJSON(r.Body, &reg); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "webhook JSON: " + err.Error()})
			return
		}
		if err := e.RegisterWebhook(r.Context(), reg); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case "DELETE webhooks":
		e.mu.Lock()
		e.hooks = nil
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no control endpoint " + r.Method + " /_emulator/" + rest})
	}
}

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(jsonBytes(v))
}
