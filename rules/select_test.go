package rules

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSelectPacks(t *testing.T) {
	dir := t.TempDir()
	const pack = "pack: local\nlanguages: [sv]\ndocument: D\nrules:\n  - id: local.profanity.sjutton\n    category: profanity\n    citation: {section: S}\n    words: [sjutton]\n"
	folder := filepath.Join(dir, "packs")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "local.yaml"), []byte(pack), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "other.yml")
	if err := os.WriteFile(file, []byte("pack: other\nrules: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		specs []string
		want  []string
	}{
		{"nothing: every embedded pack", nil, []string{"common", "da", "en", "sv"}},
		{"one embedded pack and common", []string{"sv"}, []string{"common", "sv"}},
		{"two embedded packs", []string{"da", "en"}, []string{"common", "da", "en"}},
		{"common alone", []string{"common"}, []string{"common"}},
		{"a folder beside every embedded pack", []string{folder}, []string{"common", "da", "en", "sv", "local"}},
		{"a file beside every embedded pack", []string{file}, []string{"common", "da", "en", "sv", "other"}},
		{"an embedded pack, a folder and a file", []string{"da", folder, file}, []string{"common", "da", "local", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packs, err := SelectPacks(tt.specs...)
			if err != nil {
				t.Fatalf("SelectPacks(%q): %v", tt.specs, err)
			}
			var got []string
			for _, p := range packs {
				got = append(got, p.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("SelectPacks(%q) = %q, want %q", tt.specs, got, tt.want)
			}
			if _, err := Compile(packs, Options{Today: testToday}); err != nil {
				t.Errorf("Compile: %v", err)
			}
		})
	}
}

func TestSelectPacksReplacesEmbeddedByName(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("packs", "sv.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "sv.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	packs, err := SelectPacks("sv", file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range packs {
		got = append(got, p.Name+":"+filepath.Base(p.File))
	}
	if want := []string{"common:00-common.yaml", "sv:sv.yaml"}; !slices.Equal(got, want) || packs[1].File != file {
		t.Errorf("SelectPacks(sv, copy of sv.yaml) = %q (second from %s), want %q from the copy", got, packs[1].File, want)
	}
	if _, err := Compile(packs, Options{Today: testToday}); err != nil {
		t.Errorf("Compile with the copy in place of the embedded pack: %v", err)
	}
}

func TestSelectPacksUnknown(t *testing.T) {
	_, err := SelectPacks("sv", "klingon")
	if !errors.Is(err, ErrOptions) {
		t.Errorf("SelectPacks with an unknown name: got %v, want ErrOptions", err)
	}
}

func TestSelectPacksPathBeforeName(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("sv", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("sv", "mine.yaml"), []byte("pack: mine\nrules: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	packs, err := SelectPacks("sv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range packs {
		got = append(got, p.Name)
	}
	if want := []string{"common", "da", "en", "sv", "mine"}; !slices.Equal(got, want) {
		t.Errorf("SelectPacks(\"sv\") with a folder sv = %q, want %q", got, want)
	}
}

func TestSelectPacksBadFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("pack: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SelectPacks(file); !errors.Is(err, ErrPack) {
		t.Errorf("SelectPacks of a broken file: got %v, want ErrPack", err)
	}
}
