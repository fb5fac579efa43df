package main

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// TestNoRemovalOutsideTheGate checks that the one remover is the only way
// to hide or delete anything: the connectors export no removal call,
// their unexported ones are handed out only as removal.Calls (which only
// moderation/removal can invoke), the executor's Platform has no removal
// method, and no other code sends the Graph API's hide or delete itself.
func TestNoRemovalOutsideTheGate(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[*facebook.Connector](), reflect.TypeFor[*instagram.Connector](), reflect.TypeFor[act.Platform]()} {
		for _, name := range []string{"Hide", "Unhide", "Delete", "DeleteComment", "DeletePost", "HideComment"} {
			if _, ok := typ.MethodByName(name); ok {
				t.Errorf("%s has an exported %s: removals must go through moderation/removal", typ, name)
			}
		}
	}

	// The files allowed to make the platforms' removal calls: the
	// connectors' own, which hand them to the gate through Removal.
	callers := map[string]bool{"bot/facebook/act.go": true, "bot/facebook/ownposts.go": true, "bot/instagram/act.go": true, "bot/instagram/ownposts.go": true}
	unexported := map[string]bool{"hideComment": true, "deleteComment": true, "deletePost": true}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	scanned := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "bot/emulator") {
				return filepath.SkipDir // the emulator serves the API, it does not call it
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		scanned++
		for _, decl := range f.Decls {
			fn, _ := decl.(*ast.FuncDecl)
			ast.Inspect(decl, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					// The unexported calls are used in Removal only.
					if unexported[n.Sel.Name] && (fn == nil || fn.Name.Name != "Removal" || !callers[rel]) {
						t.Errorf("%s: %s used outside Removal", fset.Position(n.Pos()), n.Sel.Name)
					}
				case *ast.CallExpr:
					// A Graph DELETE (client.Delete(ctx, account, path, n)).
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Delete" && len(n.Args) == 4 && !callers[rel] &&
						rel != "bot/facebook/graph.go" {
						t.Errorf("%s: a Graph API DELETE outside the connectors' removal calls", fset.Position(n.Pos()))
					}
				case *ast.KeyValueExpr:
					// A hide parameter (is_hidden on Facebook, hide on Instagram).
					if lit, ok := n.Key.(*ast.BasicLit); ok && lit.Kind == token.STRING && !callers[rel] {
						if k, _ := strconv.Unquote(lit.Value); k == "is_hidden" || k == "hide" {
							t.Errorf("%s: the Graph API's hide parameter outside the connectors' removal calls", fset.Position(n.Pos()))
						}
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 100 {
		t.Fatalf("scanned %d files, want the whole repository", scanned)
	}
}

// TestGateContract: the gate refuses the zero receipt and a receipt an
// edit has overtaken, finds no receipt in missing or version-less
// evidence, and for a removal writes removal.send and removal.done with the
// receipt's evidence, records the comment's state and creates its register
// entry — against SQLite and the emulator over HTTP.
func TestGateContract(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	gate := newGate(r.cfg, r.st, r.st, r.sup.client, r.clock.Now, discardLogger())
	id, cid := r.add(t, "Du är en jävla idiot")

	if _, err := gate.CommentReceipt(ctx, cid); !errors.Is(err, removal.ErrNoEvidence) {
		t.Errorf("receipt without evidence: got %v, want ErrNoEvidence", err)
	}
	// A PDF written before uppsikt recorded versions proves no version.
	if _, err := r.st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: cid, Kind: evidencepdf.KindPDF, SHA256: strings.Repeat("0", 64),
		Path: "00/legacy.pdf", Size: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := gate.CommentReceipt(ctx, cid); !errors.Is(err, removal.ErrStaleEvidence) {
		t.Errorf("receipt with version-less evidence: got %v, want ErrStaleEvidence", err)
	}
	for name, call := range map[string]func() error{
		"hide":        func() error { _, err := gate.Hide(ctx, removal.Receipt{}, removal.Ref{}); return err },
		"delete":      func() error { _, err := gate.Delete(ctx, removal.Receipt{}, removal.Ref{}); return err },
		"delete post": func() error { _, err := gate.DeletePost(ctx, removal.Receipt{}); return err },
	} {
		if err := call(); !errors.Is(err, removal.ErrNoReceipt) {
			t.Errorf("%s with the zero receipt: got %v, want ErrNoReceipt", name, err)
		}
	}

	if err := r.ev.Document(ctx, cid, 0, ""); err != nil {
		t.Fatal(err)
	}
	first, err := gate.CommentReceipt(ctx, cid)
	if err != nil || first.Version() != 1 {
		t.Fatalf("receipt after documenting: version %d, %v; want version 1", first.Version(), err)
	}
	if _, err := gate.DeletePost(ctx, first); !errors.Is(err, removal.ErrNoReceipt) {
		t.Errorf("a comment's receipt to delete a post: got %v, want ErrNoReceipt", err)
	}
	// The author edits; the receipt of version 1 no longer removes it.
	if err := r.emu.EditComment(id, "Du är en jävla idiot, och jag menar det"); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	r.poll(t)
	if _, err := gate.Hide(ctx, first, removal.Ref{}); !errors.Is(err, removal.ErrStaleEvidence) {
		t.Errorf("hide with the receipt of version 1 after an edit: got %v, want ErrStaleEvidence", err)
	}
	if _, err := gate.CommentReceipt(ctx, cid); !errors.Is(err, removal.ErrStaleEvidence) {
		t.Errorf("receipt after the edit: got %v, want ErrStaleEvidence", err)
	}
	if kinds := r.platformActions(id); len(kinds) != 0 {
		t.Fatalf("platform actions before the new version was documented: %v", kinds)
	}

	if err := r.ev.Document(ctx, cid, 0, ""); err != nil {
		t.Fatal(err)
	}
	second, err := gate.CommentReceipt(ctx, cid)
	if err != nil || second.Version() != 2 {
		t.Fatalf("receipt after documenting the edit: version %d, %v; want version 2", second.Version(), err)
	}
	out, err := gate.Delete(ctx, second, removal.Ref{ActionID: 77})
	if err != nil || out.Gone || out.Register.Number == "" {
		t.Fatalf("delete: %+v, %v; want deleted with a register entry", out, err)
	}
	if kinds := strings.Join(r.platformActions(id), ","); kinds != "delete" {
		t.Errorf("platform actions: %s, want delete", kinds)
	}
	if c, _ := r.st.Comment(ctx, cid); c.State != moderation.StateDeleted {
		t.Errorf("comment after the delete: %s, want deleted", c.State)
	}
	log, err := r.st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if !strings.HasPrefix(e.Action, "removal.") {
			continue
		}
		var d struct {
			SHA256   string `json:"evidence_sha256"`
			Version  int    `json:"version"`
			ActionID int64  `json:"action_id"`
			Register string `json:"register_number"`
		}
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		if d.SHA256 != second.EvidenceSHA256() || d.Version != 2 || d.ActionID != 77 || e.Subject != "comment "+strconv.FormatInt(cid, 10) {
			t.Errorf("audit %s %s: %+v, want the receipt's evidence %s of version 2, action 77", e.Action, e.Subject, d, second.EvidenceSHA256())
		}
		got = append(got, e.Action)
		if e.Action == removal.AuditDone && d.Register != out.Register.Number {
			t.Errorf("audit %s: register number %q, want %q", e.Action, d.Register, out.Register.Number)
		}
	}
	if strings.Join(got, " ") != "removal.send removal.done" {
		t.Errorf("removal audit entries: %v, want removal.send removal.done", got)
	}
	if n := checkGate(t, r.st, r.emu, r.key); n != 1 {
		t.Errorf("removals checked: %d, want 1", n)
	}
}
