package pdf

import "testing"

func TestToWinAnsi(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Hej!", "Hej!"},
		{"swedish and danish", "åäö ÅÄÖ æø", "\xe5\xe4\xf6 \xc5\xc4\xd6 \xe6\xf8"},
		{"windows-1252 punctuation", "– … €", "\x96 \x85 \x80"},
		{"outside the encoding", "Łódź 😡", "[U+0141]\xf3d[U+017A] [U+1F621]"},
		{"controls and newlines", "a\tb\x00c\nd\u200be", "a bc\nde"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ToWinAnsi(tt.in); got != tt.want {
				t.Errorf("ToWinAnsi(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewWinAnsi(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(string) (*WinAnsi, error)
	}{{"whole", NewWinAnsi}, {"cut", NewWinAnsiCut}} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.make(t.TempDir())
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if len(w.regularJSON) == 0 || len(w.regularZ) == 0 || len(w.boldJSON) == 0 || len(w.boldZ) == 0 {
				t.Errorf("font definitions are empty")
			}
		})
	}
}

func TestWinAnsiExact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"swedish and danish", "Växjö – Ærø, «blåbær» …\nrad två", true},
		{"euro and quotes", "€ “citat” ‘x’ • ™", true},
		{"polish", "Łódź", false},
		{"emoji", "hej 😀", false},
		{"code point written out", "hej [U+1F600]", true},
		{"c1 control", "a\u0085b", false},
		{"tab", "a\tb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := winAnsiExact(tt.in); got != tt.want {
				t.Errorf("winAnsiExact(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
