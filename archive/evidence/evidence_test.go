package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestPut(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		data    []byte
		ext     string
		wantExt string
		wantErr bool
	}{
		{name: "pdf", data: []byte("%PDF-1.7 evidence"), ext: "pdf", wantExt: ".pdf"},
		{name: "dotted extension", data: []byte("\x89PNG..."), ext: ".png", wantExt: ".png"},
		{name: "no extension", data: []byte(`{"id":"1"}`), ext: "", wantExt: ""},
		{name: "empty content", data: nil, ext: "json", wantExt: ".json"},
		{name: "extension with slash", data: []byte("x"), ext: "../x", wantErr: true},
		{name: "upper-case extension", data: []byte("x"), ext: "PDF", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			f, err := d.Put(ctx, tt.data, tt.ext)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Put(%q) = %+v, want an error", tt.ext, f)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.data)
			want := hex.EncodeToString(sum[:])
			if got := f.SHA256; got != want {
				t.Errorf("SHA256 = %s, want %s", got, want)
			}
			if got, want := f.Path, want[:2]+"/"+want+tt.wantExt; got != want {
				t.Errorf("Path = %s, want %s", got, want)
			}
			if got, want := f.Size, int64(len(tt.data)); got != want {
				t.Errorf("Size = %d, want %d", got, want)
			}
			onDisk, err := os.ReadFile(filepath.Join(d.Root(), f.Path))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(onDisk), string(tt.data); got != want {
				t.Errorf("content = %q, want %q", got, want)
			}
			if err := d.Verify(ctx, f); err != nil {
				t.Errorf("Verify: %v", err)
			}
			got, err := d.ReadFile(ctx, f.Path)
			if err != nil || string(got) != string(tt.data) {
				t.Errorf("ReadFile = %q, %v; want %q", got, err, tt.data)
			}
			// No temporary files are left behind.
			entries, err := os.ReadDir(filepath.Join(d.Root(), want[:2]))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("folder holds %d entries, want 1", len(entries))
			}
		})
	}
}

func TestPutTwiceReuses(t *testing.T) {
	ctx := context.Background()
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("same bytes")
	a, err := d.Put(ctx, data, "txt")
	if err != nil {
		t.Fatal(err)
	}
	st1, _ := os.Stat(filepath.Join(d.Root(), a.Path))
	b, err := d.Put(ctx, data, "txt")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("second Put = %+v, want %+v", b, a)
	}
	st2, _ := os.Stat(filepath.Join(d.Root(), b.Path))
	if !os.SameFile(st1, st2) {
		t.Error("second Put replaced the file, want the existing file reused")
	}
}

func TestConcurrentPutSameContent(t *testing.T) {
	ctx := context.Background()
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(strings.Repeat("evidence ", 100000))
	const n = 16
	files := make([]File, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { files[i], errs[i] = d.Put(ctx, data, "bin") })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Put %d: %v", i, errs[i])
		}
		if files[i] != files[0] {
			t.Errorf("Put %d = %+v, want %+v", i, files[i], files[0])
		}
	}
	entries, err := os.ReadDir(filepath.Join(d.Root(), files[0].SHA256[:2]))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(entries), 1; got != want {
		t.Errorf("folder holds %d entries, want %d (temporary files left?)", got, want)
	}
	if err := d.Verify(ctx, files[0]); err != nil {
		t.Error(err)
	}
}

func TestCorruption(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		corrupt func(t *testing.T, p string)
		wantErr error
	}{
		{name: "changed byte", corrupt: func(t *testing.T, p string) { write(t, p, []byte("the bytes of evidencE")) }, wantErr: ErrCorrupt},
		{name: "truncated", corrupt: func(t *testing.T, p string) { write(t, p, []byte("the bytes")) }, wantErr: ErrCorrupt},
		{name: "removed", corrupt: func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}, wantErr: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			data := []byte("the bytes of evidence")
			f, err := d.Put(ctx, data, "txt")
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(d.Root(), f.Path)
			tt.corrupt(t, p)
			if err := d.Verify(ctx, f); !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != ErrCorrupt {
				return
			}
			// Putting the genuine bytes again must not silently repair
			// or overwrite the file: it reports the corruption.
			before, _ := os.ReadFile(p)
			if _, err := d.Put(ctx, data, "txt"); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Put over a corrupt file = %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(p)
			if string(before) != string(after) {
				t.Error("Put changed a corrupt file, want it left as found")
			}
			if _, err := d.ReadFile(ctx, f.Path); !errors.Is(err, ErrCorrupt) {
				t.Errorf("ReadFile = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestVerifyWrongRecord(t *testing.T) {
	ctx := context.Background()
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Put(ctx, []byte("abc"), "txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    File
	}{
		{name: "wrong size", f: File{SHA256: f.SHA256, Path: f.Path, Size: 4}},
		{name: "hash not in name", f: File{SHA256: strings.Repeat("0", 64), Path: f.Path, Size: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := d.Verify(ctx, tt.f); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Verify(%+v) = %v, want ErrCorrupt", tt.f, err)
			}
		})
	}
}

func TestOpenRefusesEscapes(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"../x", "/etc/passwd", "", "ab/../../x"} {
		if f, err := d.Open(rel); err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded, want an error", rel)
		}
	}
	f, err := d.Put(context.Background(), []byte("x"), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	if got, want := string(b), "x"; got != want {
		t.Errorf("Open read %q, want %q", got, want)
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o640); err != nil {
		t.Fatal(err)
	}
}
