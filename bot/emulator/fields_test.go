package emulator

import (
	"reflect"
	"testing"
)

func TestParseFields(t *testing.T) {
	tests := []struct {
		name, expr, want string
		wantErr          bool
	}{
		{"flat", "id,message,created_time", "id,message,created_time", false},
		{"blanks", " id , from { id , name } ", "id,from{id,name}", false},
		{"edge with modifiers", "comments.filter(stream).limit(100){id,message,parent,is_hidden}", "comments.filter(stream).limit(100){id,message,parent,is_hidden}", false},
		{"modifiers after braces", "comments{id}.limit(5).summary(true)", "comments.limit(5).summary(true){id}", false},
		{"nested edges", "comments{comments{id,from{name}}}", "comments{comments{id,from{name}}}", false},
		{"empty", "", "", false},
		{"unclosed brace", "comments{id", "", true},
		{"empty braces", "from{}", "", true},
		{"trailing comma", "id,", "", true},
		{"modifier without value", "comments.limit", "", true},
		{"bad character", "id;drop", "", true},
		{"nested parens", "comments.limit((5))", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := parseFields(tt.expr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseFields(%q): err %v, want error %v", tt.expr, err, tt.wantErr)
			}
			if got := specsString(fs); !tt.wantErr && got != tt.want {
				t.Errorf("parseFields(%q): got %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestParseFieldsDepthLimit(t *testing.T) {
	expr := "a"
	for range 20 {
		expr = "a{" + expr + "}"
	}
	if _, err := parseFields(expr); err == nil {
		t.Errorf("nesting 20 deep accepted")
	}
}

// FuzzParseFields checks that outside fields expressions never crash the
// parser and that whatever parses renders back to an equivalent expression.
func FuzzParseFields(f *testing.F) {
	for _, s := range []string{
		"id,message,created_time",
		"comments.filter(stream).limit(100){id,message,from,created_time,parent,is_hidden,comment_count}",
		"id,text,username,from{id,username},timestamp,hidden,like_count,parent_id,replies{id,text}",
		"comments{id}.summary(true)",
		"from{",
		"a.b(",
		"}{,.()",
		"  ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		fs, err := parseFields(expr)
		if err != nil {
			return
		}
		again, err := parseFields(specsString(fs))
		if err != nil {
			t.Fatalf("rendering %q of %q does not parse: %v", specsString(fs), expr, err)
		}
		if !reflect.DeepEqual(normalize(fs), normalize(again)) {
			t.Fatalf("%q → %q → %q", expr, specsString(fs), specsString(again))
		}
	})
}

func normalize(fs []fieldSpec) []fieldSpec {
	for i := range fs {
		if len(fs[i].Modifiers) == 0 {
			fs[i].Modifiers = nil
		}
		fs[i].Sub = normalize(fs[i].Sub)
	}
	return fs
}
