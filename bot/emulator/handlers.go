package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Field sets per node type: what Graph serves, and what it serves by default.
var (
	pageFields       = []string{"id", "name", "category", "link", "fan_count", "followers_count", "about", "instagram_business_account", "access_token", "feed", "posts", "published_posts", "picture"}
	postFields       = []string{"id", "message", "created_time", "updated_time", "from", "permalink_url", "is_hidden", "is_published", "status_type", "full_picture", "attachments", "comments", "story", "privacy", "shares"}
	commentFields    = []string{"id", "message", "from", "created_time", "permalink_url", "attachment", "parent", "comment_count", "like_count", "is_hidden", "is_private", "can_hide", "can_remove", "can_reply_privately", "can_comment", "can_like", "message_tags", "object", "comments", "user_likes"}
	igUserFields     = []string{"id", "username", "name", "media_count", "followers_count", "profile_picture_url", "biography", "media"}
	mediaFields      = []string{"id", "caption", "media_type", "media_url", "permalink", "timestamp", "username", "comments_count", "like_count", "comments", "is_comment_enabled", "owner", "media_product_type"}
	igCommentFields  = []string{"id", "text", "username", "from", "timestamp", "hidden", "like_count", "parent_id", "replies", "media", "user"}
	defPostFields    = "created_time,message,id"
	defCommentFields = "created_time,from,message,id"
	defIGCFields     = "timestamp,text,id"
	defMediaFields   = "id"
)

// dispatch runs an authenticated call. The caller holds e.mu.
func (e *Emulator) dispatch(c *call) (any, *graphError) {
	if len(c.segs) == 0 {
		return nil, paramErr("Unsupported request: POST / needs a batch parameter")
	}
	switch c.segs[0] {
	case "me":
		return e.handleMe(c)
	case "debug_token":
		return e.handleDebugToken(c)
	}
	id := c.segs[0]
	kind, a, p, cm := e.lookup(id)
	if kind == "" || (cm != nil && cm.gone()) || (p != nil && p.Deleted) {
		return nil, unsupported(c.method, id)
	}
	edge := ""
	if len(c.segs) > 1 {
		edge = strings.Join(c.segs[1:], "/")
	}
	switch kind + " " + c.method + " " + edge {
	case "page GET ":
		return e.renderNode(c, "Page", pageFields, "id,name", func(f fieldSpec) (any, bool, *graphError) { return e.pageField(c, a, f) })
	case "page GET feed", "page GET posts", "page GET published_posts":
		return e.listPosts(c, a, edge)
	case "page GET subscribed_apps", "iguser GET subscribed_apps":
		return e.listSubscriptions(a), nil
	case "page POST subscribed_apps", "iguser POST subscribed_apps":
		return e.subscribe(c, a)
	case "page DELETE subscribed_apps", "iguser DELETE subscribed_apps":
		delete(e.subs, a.ID)
		return map[string]bool{"success": true}, nil
	case "page POST messages":
		return e.privateReply(c, a)
	case "post GET ", "media GET ":
		def, fields, typ := defPostFields, postFields, "PagePost"
		if kind == "media" {
			def, fields, typ = defMediaFields, mediaFields, "IGMedia"
		}
		return e.renderNode(c, typ, fields, def, func(f fieldSpec) (any, bool, *graphError) { return e.postField(c, p, f) })
	case "post DELETE ":
		return e.deletePostCall(c, p)
	case "post GET comments":
		return e.listComments(c, p.ID, p.threadComments(c.params.Get("filter") == "stream"), c.params, defCommentFields, false)
	case "media GET comments":
		return e.listComments(c, p.ID, p.threadComments(false), c.params, defIGCFields, true)
	case "comment GET ", "igcomment GET ":
		def, fields, typ := defCommentFields, commentFields, "Comment"
		if kind == "igcomment" {
			def, fields, typ = defIGCFields, igCommentFields, "IGComment"
		}
		return e.renderNode(c, typ, fields, def, func(f fieldSpec) (any, bool, *graphError) { return e.commentField(c, cm, f) })
	case "comment GET comments":
		return e.listComments(c, cm.ID, cm.sortedReplies(), c.params, defCommentFields, false)
	case "igcomment GET replies":
		return e.listComments(c, cm.ID, cm.sortedReplies(), c.params, defIGCFields, true)
	case "comment POST ", "igcomment POST ":
		return e.updateComment(c, a, cm)
	case "comment DELETE ", "igcomment DELETE ":
		e.deleteComment(cm, "page")
		e.record(c, "delete", cm.ID, "", "")
		return map[string]bool{"success": true}, nil
	case "comment POST comments", "igcomment POST replies":
		return e.replyToComment(c, a, cm)
	case "post POST comments", "media POST comments":
		return e.commentOnPost(c, a, p)
	case "iguser GET ":
		return e.renderNode(c, "IGUser", igUserFields, "id", func(f fieldSpec) (any, bool, *graphError) { return e.igUserField(c, a, f) })
	case "iguser GET media":
		return e.listMedia(c, a)
	}
	if edge == "" {
		return nil, unsupported(c.method, id)
	}
	return nil, oauthErr(2500, 0, "Unknown path components: /"+edge)
}

// gone reports a deleted comment or a reply whose thread was deleted.
func (c *comment) gone() bool {
	return c.Deleted || (c.Parent != nil && c.Parent.Deleted)
}

func (c *comment) sortedReplies() []*comment {
	rs := c.visibleReplies()
	slices.SortStableFunc(rs, func(a, b *comment) int { return a.Created.Compare(b.Created) })
	return rs
}

// renderNode answers a single object with the requested fields.
func (e *Emulator) renderNode(c *call, typ string, allowed []string, def string, get func(fieldSpec) (any, bool, *graphError)) (any, *graphError) {
	expr := c.params.Get("fields")
	if expr == "" {
		expr = def
	}
	specs, err := parseFields(expr)
	if err != nil {
		return nil, paramErr(err.Error())
	}
	return e.renderSpecs(typ, allowed, specs, get)
}

func (e *Emulator) renderSpecs(typ string, allowed []string, specs []fieldSpec, get func(fieldSpec) (any, bool, *graphError)) (map[string]any, *graphError) {
	out := map[string]any{}
	for _, f := range specs {
		if !slices.Contains(allowed, f.Name) {
			return nil, paramErr(fmt.Sprintf("Tried accessing nonexisting field (%s) on node type (%s)", f.Name, typ))
		}
		v, ok, gerr := get(f)
		if gerr != nil {
			return nil, gerr
		}
		if ok {
			out[f.Name] = v
		}
	}
	if _, ok := out["id"]; !ok {
		// Graph always includes the id of a node.
		if v, ok, _ := get(fieldSpec{Name: "id"}); ok {
			out["id"] = v
		}
	}
	return out, nil
}

func (e *Emulator) pageField(c *call, a *account, f fieldSpec) (any, bool, *graphError) {
	switch f.Name {
	case "id":
		return a.ID, true, nil
	case "name":
		return a.Name, true, nil
	case "category":
		return "Government organization", true, nil
	case "link":
		return e.base + "web/" + a.ID, true, nil
	case "fan_count", "followers_count":
		return 1200 + len(a.posts)*13, true, nil
	case "about":
		return a.Name, true, nil
	case "instagram_business_account":
		for _, o := range e.accounts {
			if o.Platform == "instagram" && o.Page == a.ID {
				return map[string]string{"id": o.ID}, true, nil
			}
		}
		return nil, false, nil
	case "access_token":
		return a.Token, true, nil
	case "picture":
		return map[string]any{"data": map[string]any{"url": e.base + "web/" + a.ID + "/avatar.svg", "is_silhouette": false}}, true, nil
	}
	return nil, false, paramErr(fmt.Sprintf("Field %s must be read through its own edge /%s/%s", f.Name, a.ID, f.Name))
}

func (e *Emulator) igUserField(c *call, a *account, f fieldSpec) (any, bool, *graphError) {
	switch f.Name {
	case "id":
		return a.ID, true, nil
	case "username":
		return a.Name, true, nil
	case "name":
		if p := e.byID[a.Page]; p != nil {
			return p.Name, true, nil
		}
		return a.Name, true, nil
	case "media_count":
		return len(liveMedia(a)), true, nil
	case "followers_count":
		return 800 + len(a.posts)*11, true, nil
	case "profile_picture_url":
		return e.base + "web/" + a.ID + "/avatar.svg", true, nil
	case "biography":
		return "", false, nil
	case "media":
		return e.edgeList(c, a.ID+"/media", f, func(sub []fieldSpec) ([]string, []map[string]any, *graphError) {
			ps := liveMedia(a)
			return e.renderPosts(c, ps, sub, defMediaFields)
		})
	}
	return nil, false, nil
}

func liveMedia(a *account) []*post {
	var out []*post
	for _, p := range a.posts {
		if !p.Deleted {
			out = append(out, p)
		}
	}
	return out
}

func (e *Emulator) postField(c *call, p *post, f fieldSpec) (any, bool, *graphError) {
	ig := p.Account.Platform == "instagram"
	switch f.Name {
	case "id":
		return p.ID, true, nil
	case "message", "caption":
		return p.Message, p.Message != "", nil
	case "created_time", "timestamp":
		return c.fmtTime(p.Created), true, nil
	case "updated_time":
		return c.fmtTime(p.Updated), true, nil
	case "from":
		return map[string]string{"id": p.Account.ID, "name": p.Account.Name}, true, nil
	case "owner":
		return map[string]string{"id": p.Account.ID}, true, nil
	case "username":
		return p.Account.Name, true, nil
	case "permalink_url", "permalink":
		return e.permalinkPost(p), true, nil
	case "is_hidden":
		return false, true, nil
	case "is_published", "is_comment_enabled":
		return true, true, nil
	case "status_type":
		if p.Picture {
			return "added_photos", true, nil
		}
		return "mobile_status_update", true, nil
	case "media_type":
		return "IMAGE", true, nil
	case "media_product_type":
		return "FEED", true, nil
	case "full_picture", "media_url":
		if !p.Picture {
			return nil, false, nil
		}
		return e.base + "web/picture/" + p.ID + ".svg", true, nil
	case "attachments":
		if !p.Picture {
			return nil, false, nil
		}
		return map[string]any{"data": []map[string]any{{
			"type":  "photo",
			"url":   e.permalinkPost(p),
			"media": map[string]any{"image": map[string]any{"src": e.base + "web/picture/" + p.ID + ".svg", "width": 720, "height": 405}},
		}}}, true, nil
	case "comments_count":
		return len(p.threadComments(true)), true, nil
	case "like_count":
		return p.Likes, true, nil
	case "story", "privacy", "shares":
		return nil, false, nil
	case "comments":
		stream := f.Modifiers["filter"] == "stream"
		def := defCommentFields
		if ig {
			stream = false
			def = defIGCFields
		}
		return e.edgeList(c, p.ID+"/comments", f, func(sub []fieldSpec) ([]string, []map[string]any, *graphError) {
			return e.renderComments(c, orderComments(p.threadComments(stream), f.Modifiers["order"]), sub, def)
		})
	}
	return nil, false, nil
}

func (e *Emulator) commentField(c *call, cm *comment, f fieldSpec) (any, bool, *graphError) {
	ig := cm.Post.Account.Platform == "instagram"
	switch f.Name {
	case "id":
		return cm.ID, true, nil
	case "message", "text":
		return cm.Message, true, nil
	case "from":
		if ig {
			return map[string]string{"id": cm.From.ID, "username": cm.From.Username}, true, nil
		}
		return map[string]string{"id": cm.From.ID, "name": cm.From.Name}, true, nil
	case "username":
		return cm.From.Username, true, nil
	case "user":
		if cm.ByPage {
			return map[string]string{"id": cm.Post.Account.ID}, true, nil
		}
		return nil, false, nil
	case "created_time", "timestamp":
		return c.fmtTime(cm.Created), true, nil
	case "permalink_url":
		return e.permalinkComment(cm), true, nil
	case "attachment", "message_tags":
		return nil, false, nil
	case "parent":
		if cm.Parent == nil {
			return nil, false, nil
		}
		sub := f.Sub
		if sub == nil {
			sub = []fieldSpec{{Name: "created_time"}, {Name: "from"}, {Name: "message"}, {Name: "id"}}
		}
		v, gerr := e.renderSpecs("Comment", commentFields, sub, func(g fieldSpec) (any, bool, *graphError) { return e.commentField(c, cm.Parent, g) })
		return v, gerr == nil, gerr
	case "parent_id":
		if cm.Parent == nil {
			return nil, false, nil
		}
		return cm.Parent.ID, true, nil
	case "object", "media":
		return map[string]string{"id": cm.Post.ID}, true, nil
	case "comment_count":
		return len(cm.visibleReplies()), true, nil
	case "like_count":
		return cm.Likes, true, nil
	case "is_hidden", "hidden":
		return cm.Hidden, true, nil
	case "is_private", "user_likes":
		return false, true, nil
	case "can_hide":
		return !cm.ByPage, true, nil
	case "can_remove", "can_like":
		return true, true, nil
	case "can_comment":
		return cm.Parent == nil, true, nil
	case "can_reply_privately":
		return !cm.ByPage && !cm.PrivateReplied && e.now().Sub(cm.Created) < 7*24*time.Hour, true, nil
	case "comments", "replies":
		if f.Name == "replies" && !ig || f.Name == "comments" && ig {
			return nil, false, nil
		}
		def := defCommentFields
		if ig {
			def = "id"
		}
		return e.edgeList(c, cm.ID+"/"+f.Name, f, func(sub []fieldSpec) ([]string, []map[string]any, *graphError) {
			return e.renderComments(c, orderComments(cm.sortedReplies(), f.Modifiers["order"]), sub, def)
		})
	}
	return nil, false, nil
}

func orderComments(cs []*comment, order string) []*comment {
	if order == "reverse_chronological" {
		out := slices.Clone(cs)
		slices.Reverse(out)
		return out
	}
	return cs
}

// edgeList renders a nested edge of a field expansion, such as
// comments.filter(stream).limit(100){...}, with its own paging.
func (e *Emulator) edgeList(c *call, path string, f fieldSpec, items func([]fieldSpec) ([]string, []map[string]any, *graphError)) (any, bool, *graphError) {
	lp := listParams{limit: 25}
	if s, ok := f.Modifiers["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, false, paramErr("The modifier limit must be a non-negative integer")
		}
		if n > 0 {
			lp.limit = min(n, 500)
		}
	}
	lp.after = f.Modifiers["after"]
	ids, rows, gerr := items(f.Sub)
	if gerr != nil {
		return nil, false, gerr
	}
	q := url.Values{}
	if f.Sub != nil {
		q.Set("fields", specsString(f.Sub))
	}
	for _, m := range []string{"filter", "order"} {
		if v, ok := f.Modifiers[m]; ok {
			q.Set(m, v)
		}
	}
	start, end, paging, gerr := e.pageOf(c, ids, lp, path, q)
	if gerr != nil {
		return nil, false, gerr
	}
	out := map[string]any{"data": nonNil(rows[start:end])}
	if paging != nil {
		out["paging"] = paging
	}
	if f.Modifiers["summary"] == "true" || f.Modifiers["summary"] == "1" {
		out["summary"] = map[string]any{"total_count": len(ids), "order": orderName(f.Modifiers["order"]), "can_comment": true}
	}
	return out, true, nil
}

func orderName(o string) string {
	if o == "" {
		return "ranked"
	}
	return o
}

func nonNil(rows []map[string]any) []map[string]any {
	if rows == nil {
		return []map[string]any{}
	}
	return rows
}

func (e *Emulator) renderComments(c *call, cs []*comment, sub []fieldSpec, def string) ([]string, []map[string]any, *graphError) {
	if sub == nil {
		sub, _ = parseFields(def)
	}
	ids := make([]string, len(cs))
	rows := make([]map[string]any, len(cs))
	for i, cm := range cs {
		ids[i] = cm.ID
		fields, typ := commentFields, "Comment"
		if cm.Post.Account.Platform == "instagram" {
			fields, typ = igCommentFields, "IGComment"
		}
		row, gerr := e.renderSpecs(typ, fields, sub, func(f fieldSpec) (any, bool, *graphError) { return e.commentField(c, cm, f) })
		if gerr != nil {
			return nil, nil, gerr
		}
		rows[i] = row
	}
	return ids, rows, nil
}

func (e *Emulator) renderPosts(c *call, ps []*post, sub []fieldSpec, def string) ([]string, []map[string]any, *graphError) {
	if sub == nil {
		sub, _ = parseFields(def)
	}
	ids := make([]string, len(ps))
	rows := make([]map[string]any, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		fields, typ := postFields, "PagePost"
		if p.Account.Platform == "instagram" {
			fields, typ = mediaFields, "IGMedia"
		}
		row, gerr := e.renderSpecs(typ, fields, sub, func(f fieldSpec) (any, bool, *graphError) { return e.postField(c, p, f) })
		if gerr != nil {
			return nil, nil, gerr
		}
		rows[i] = row
	}
	return ids, rows, nil
}

// listAnswer renders a top-level list with paging.
func (e *Emulator) listAnswer(c *call, path string, ids []string, rows func(start, end int) ([]map[string]any, *graphError), def, maxLimit int) (any, *graphError) {
	lp, gerr := readList(c.params, def, maxLimit)
	if gerr != nil {
		return nil, gerr
	}
	start, end, paging, gerr := e.pageOf(c, ids, lp, path, c.params)
	if gerr != nil {
		return nil, gerr
	}
	data, gerr := rows(start, end)
	if gerr != nil {
		return nil, gerr
	}
	out := map[string]any{"data": nonNil(data)}
	if paging != nil {
		out["paging"] = paging
	}
	return out, nil
}

func (e *Emulator) listPosts(c *call, a *account, edge string) (any, *graphError) {
	var since, until time.Time
	if s := c.params.Get("since"); s != "" {
		t, ok := parseTime(s)
		if !ok {
			return nil, paramErr("The parameter since must be a unix timestamp or an ISO 8601 time")
		}
		since = t
	}
	if s := c.params.Get("until"); s != "" {
		t, ok := parseTime(s)
		if !ok {
			return nil, paramErr("The parameter until must be a unix timestamp or an ISO 8601 time")
		}
		until = t
	}
	var ps []*post
	for _, p := range a.posts {
		if p.Deleted || (!since.IsZero() && p.Created.Before(since)) || (!until.IsZero() && p.Created.After(until)) {
			continue
		}
		ps = append(ps, p)
	}
	return e.renderPostList(c, a.ID+"/"+edge, ps, defPostFields)
}

func (e *Emulator) listMedia(c *call, a *account) (any, *graphError) {
	return e.renderPostList(c, a.ID+"/media", liveMedia(a), defMediaFields)
}

func (e *Emulator) renderPostList(c *call, path string, ps []*post, def string) (any, *graphError) {
	expr := c.params.Get("fields")
	if expr == "" {
		expr = def
	}
	specs, err := parseFields(expr)
	if err != nil {
		return nil, paramErr(err.Error())
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return e.listAnswer(c, path, ids, func(start, end int) ([]map[string]any, *graphError) {
		_, rows, gerr := e.renderPosts(c, ps[start:end], specs, def)
		return rows, gerr
	}, 25, 100)
}

func (e *Emulator) listComments(c *call, parentID string, cs []*comment, v url.Values, def string, ig bool) (any, *graphError) {
	cs = orderComments(cs, v.Get("order"))
	expr := v.Get("fields")
	if expr == "" {
		expr = def
	}
	specs, err := parseFields(expr)
	if err != nil {
		return nil, paramErr(err.Error())
	}
	ids := make([]string, len(cs))
	for i, cm := range cs {
		ids[i] = cm.ID
	}
	edge := "comments"
	if len(c.segs) > 1 {
		edge = c.segs[1]
	}
	out, gerr := e.listAnswer(c, parentID+"/"+edge, ids, func(start, end int) ([]map[string]any, *graphError) {
		_, rows, gerr := e.renderComments(c, cs[start:end], specs, def)
		return rows, gerr
	}, 25, 500)
	if gerr != nil {
		return nil, gerr
	}
	if s := v.Get("summary"); s == "true" || s == "1" {
		out.(map[string]any)["summary"] = map[string]any{"total_count": len(cs), "order": orderName(v.Get("order")), "can_comment": true}
	}
	return out, nil
}

func (e *Emulator) handleMe(c *call) (any, *graphError) {
	rest := ""
	if len(c.segs) > 1 {
		rest = strings.Join(c.segs[1:], "/")
	}
	if c.token == e.scenario.UserToken {
		switch {
		case rest == "" && c.method == http.MethodGet:
			return map[string]string{"id": "100000000000042", "name": e.scenario.Name + " (administratör)"}, nil
		case rest == "accounts" && c.method == http.MethodGet:
			var ids []string
			var fb []*account
			for _, a := range e.accounts {
				if a.Platform == "facebook" {
					ids = append(ids, a.ID)
					fb = append(fb, a)
				}
			}
			return e.listAnswer(c, "me/accounts", ids, func(start, end int) ([]map[string]any, *graphError) {
				var rows []map[string]any
				for _, a := range fb[start:end] {
					rows = append(rows, map[string]any{
						"access_token": a.Token, "category": "Government organization",
						"category_list": []map[string]string{{"id": "2235", "name": "Government organization"}},
						"name":          a.Name, "id": a.ID, "tasks": []string{"ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"},
					})
				}
				return rows, nil
			}, 25, 100)
		}
		return nil, oauthErr(2500, 0, "Unknown path components: /"+rest)
	}
	a := e.tokenAccount(c.token)
	if a == nil {
		return nil, oauthErr(2500, 0, "An active access token must be used to query information about the current user.")
	}
	if rest == "" && c.method == http.MethodGet {
		return e.renderNode(c, "Page", pageFields, "id,name", func(f fieldSpec) (any, bool, *graphError) { return e.pageField(c, a, f) })
	}
	if rest == "accounts" {
		return nil, paramErr("Tried accessing nonexisting field (accounts) on node type (Page)")
	}
	c.segs[0] = a.ID
	return e.dispatch(c)
}

func (e *Emulator) handleDebugToken(c *call) (any, *graphError) {
	in := c.params.Get("input_token")
	if in == "" {
		return nil, paramErr("The parameter input_token is required")
	}
	now := e.now()
	data := map[string]any{"app_id": e.opts.AppID, "application": "uppsikt", "is_valid": true}
	switch {
	case len(e.byToken[in]) > 0:
		a := e.byToken[in][0]
		data["type"] = "PAGE"
		data["profile_id"] = a.ID
		data["user_id"] = "100000000000042"
		data["expires_at"] = 0
		data["data_access_expires_at"] = now.Add(90 * 24 * time.Hour).Unix()
		data["issued_at"] = now.Add(-30 * 24 * time.Hour).Unix()
		data["scopes"] = []string{"pages_show_list", "pages_read_engagement", "pages_read_user_content", "pages_manage_engagement", "pages_manage_metadata", "pages_messaging", "instagram_basic", "instagram_manage_comments"}
	case in == e.scenario.UserToken:
		data["type"] = "USER"
		data["user_id"] = "100000000000042"
		data["expires_at"] = 0
		data["scopes"] = []string{"pages_show_list", "pages_read_engagement", "pages_manage_engagement"}
	case in == e.appTok:
		data["type"] = "APP"
	default:
		data = map[string]any{"is_valid": false, "error": map[string]any{"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"}}
	}
	if sub, ok := e.revoked[in]; ok {
		data["is_valid"] = false
		data["error"] = map[string]any{"code": 190, "subcode": sub, "message": tokenErr(sub).Message}
	}
	return map[string]any{"data": data}, nil
}

func (e *Emulator) listSubscriptions(a *account) any {
	fields, ok := e.subs[a.ID]
	if !ok {
		return map[string]any{"data": []any{}}
	}
	return map[string]any{"data": []map[string]any{{"id": e.opts.AppID, "name": "uppsikt", "subscribed_fields": fields}}}
}

func (e *Emulator) subscribe(c *call, a *account) (any, *graphError) {
	sf := c.params.Get("subscribed_fields")
	if sf == "" {
		return nil, paramErr("The parameter subscribed_fields is required")
	}
	var fields []string
	for _, f := range strings.Split(sf, ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	e.subs[a.ID] = fields
	return map[string]bool{"success": true}, nil
}

// record keeps an action for /_emulator/state. The caller holds e.mu.
func (e *Emulator) record(c *call, kind, objectID, newID, msg string) {
	actor := ""
	if a := e.tokenAccount(c.token); a != nil {
		actor = a.ID
	}
	e.actions = append(e.actions, Action{Time: e.now(), Kind: kind, ObjectID: objectID, Account: actor, NewID: newID, Message: msg})
}

func (e *Emulator) updateComment(c *call, a *account, cm *comment) (any, *graphError) {
	ig := a.Platform == "instagram"
	key := "is_hidden"
	if ig {
		key = "hide"
	}
	v := c.params.Get(key)
	if v == "" {
		if msg := c.params.Get("message"); msg != "" && !ig {
			if !cm.ByPage {
				return nil, oauthErr(200, 0, "(#200) Permissions error: a page may only edit its own comments")
			}
			cm.edit(msg)
			e.emitComment(cm, "edited")
			e.record(c, "edit", cm.ID, "", msg)
			return map[string]bool{"success": true}, nil
		}
		return nil, paramErr("The parameter " + key + " is required")
	}
	hide, err := strconv.ParseBool(v)
	if err != nil {
		return nil, paramErr("The parameter " + key + " must be true or false")
	}
	if hide && cm.ByPage && !ig {
		return nil, paramErr("This comment cannot be hidden: it was written by the page")
	}
	kind := "unhide"
	if hide {
		kind = "hide"
	}
	changed := cm.Hidden != hide
	cm.Hidden = hide
	if changed {
		e.emitComment(cm, kind)
	}
	e.record(c, kind, cm.ID, "", "")
	return map[string]bool{"success": true}, nil
}

// deleteComment removes a comment; by is "page" or "author". The caller holds e.mu.
func (e *Emulator) deleteComment(cm *comment, by string) {
	cm.Deleted = true
	cm.DeletedBy = by
	e.emitComment(cm, "remove")
}

// commentOnPost adds a top-level comment by the account to a post or a
// media: POST /{post-id}/comments and POST /{ig-media-id}/comments.
func (e *Emulator) commentOnPost(c *call, a *account, p *post) (any, *graphError) {
	msg := c.params.Get("message")
	if strings.TrimSpace(msg) == "" {
		return nil, paramErr("The parameter message is required")
	}
	if p.Account != a {
		return nil, oauthErr(200, 0, "(#200) Permissions error")
	}
	r := e.newComment(p, nil, Author{}, true, msg, e.now().Truncate(time.Second))
	e.emitComment(r, "add")
	e.record(c, "comment", p.ID, r.ID, msg)
	return map[string]string{"id": r.ID}, nil
}

func (e *Emulator) replyToComment(c *call, a *account, cm *comment) (any, *graphError) {
	msg := c.params.Get("message")
	if strings.TrimSpace(msg) == "" {
		return nil, paramErr("The parameter message is required")
	}
	parent := cm
	if a.Platform == "instagram" {
		if cm.Parent != nil {
			return nil, paramErr("Replies can only be made to top-level comments")
		}
		if cm.Hidden {
			return nil, paramErr("Cannot reply to a hidden comment")
		}
	} else if cm.Parent != nil {
		parent = cm.Parent // Facebook threads are one level deep
	}
	r := e.newComment(cm.Post, parent, Author{}, true, msg, e.now().Truncate(time.Second))
	e.emitComment(r, "add")
	e.record(c, "reply", cm.ID, r.ID, msg)
	return map[string]string{"id": r.ID}, nil
}

func (e *Emulator) privateReply(c *call, a *account) (any, *graphError) {
	var rcpt struct {
		CommentID string `json:"comment_id"`
		PostID    string `json:"post_id"`
	}
	if err := json.Unmarshal([]byte(c.params.Get("recipient")), &rcpt); err != nil || (rcpt.CommentID == "" && rcpt.PostID == "") {
		return nil, paramErr(`The parameter recipient must be JSON like {"comment_id":"..."}`)
	}
	text := c.params.Get("message")
	var m struct {
		Text string `json:"text"`
	}
	if json.Unmarshal([]byte(text), &m) == nil && m.Text != "" {
		text = m.Text
	}
	if strings.TrimSpace(text) == "" {
		return nil, paramErr("The parameter message is required")
	}
	cm := e.comments[rcpt.CommentID]
	if cm == nil || cm.gone() || cm.Post.Account != a {
		return nil, paramErr("No matching user found")
	}
	if cm.PrivateReplied {
		return nil, oauthErr(10900, 0, "Activity already replied to")
	}
	if e.now().Sub(cm.Created) > 7*24*time.Hour {
		return nil, oauthErr(10903, 0, "This activity can't be replied to")
	}
	cm.PrivateReplied = true
	e.record(c, "private_reply", cm.ID, "", text)
	return map[string]string{"recipient_id": cm.From.ID, "message_id": fmt.Sprintf("m_emu%012d", len(e.actions))}, nil
}
