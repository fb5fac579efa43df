package evidence

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCopyTo(t *testing.T) {
	ctx := context.Background()
	src, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, body := range []string{"bevis ett", "bevis två", "bevis tre"} {
		f, err := src.Put(ctx, []byte(body), "pdf")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// A temporary file a crash left behind is not evidence.
	if err := os.WriteFile(filepath.Join(src.Root(), files[0].Path[:2], ".tmp-x"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst, err := At(filepath.Join(t.TempDir(), "copy"))
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(src.Root(), filepath.FromSlash(files[2].Path))
	tests := []struct {
		name    string
		prepare func(t *testing.T)
		want    CopyStats
	}{
		{"into an empty folder", nil, CopyStats{Copied: 3, Bytes: int64(files[0].Size + files[1].Size + files[2].Size)}},
		{"again: nothing new", nil, CopyStats{Present: 3}},
		{"one more file", func(t *testing.T) {
			f, err := src.Put(ctx, []byte("bevis fyra"), "png")
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}, CopyStats{Copied: 1, Present: 3, Bytes: int64(len("bevis fyra"))}},
		{"a damaged source file the copy lacks is not copied", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dst.Root(), filepath.FromSlash(files[2].Path))); err != nil {
				t.Fatal(err)
			}
			os.Chmod(damaged, 0o600)
			if err := os.WriteFile(damaged, []byte("bevis TRE"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, CopyStats{Present: 3, Corrupt: []string{files[2].Path}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t)
			}
			got, err := src.CopyTo(ctx, dst)
			if err != nil {
				t.Fatal(err)
			}
			if got.Copied != tt.want.Copied || got.Present != tt.want.Present || got.Bytes != tt.want.Bytes || len(got.Corrupt) != len(tt.want.Corrupt) ||
				(len(got.Corrupt) > 0 && got.Corrupt[0] != tt.want.Corrupt[0]) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, f := range files[:2] {
		if err := dst.Verify(ctx, f); err != nil {
			t.Errorf("copy of %s: %v", f.Path, err)
		}
		fi, err := os.Stat(filepath.Join(dst.Root(), filepath.FromSlash(f.Path)))
		if err != nil || fi.Mode().Perm() != 0o440 {
			t.Errorf("copy of %s: mode %v (%v), want 0440", f.Path, fi.Mode().Perm(), err)
		}
	}
	if err := dst.Verify(ctx, files[2]); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the damaged file in the copy: got %v, want it missing", err)
	}
	if _, err := os.Stat(filepath.Join(dst.Root(), files[0].Path[:2], ".tmp-x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a temporary file was copied: %v", err)
	}
	none, err := At(filepath.Join(t.TempDir(), "not-yet"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := none.CopyTo(ctx, dst); err != nil || got.Copied+got.Present != 0 {
		t.Errorf("from an evidence folder not made yet: got %+v, %v; want nothing, no error", got, err)
	}
}

// BenchmarkCopyTo copies an evidence folder of 500 files of 64 KiB (the
// size of a text-only evidence PDF) into an empty folder ("full") and into
// one that has them all ("incremental", the nightly backup's usual case).
func BenchmarkCopyTo(b *testing.B) {
	ctx := context.Background()
	src, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 64<<10)
	for i := range 500 {
		body[0], body[1] = byte(i), byte(i>>8)
		if _, err := src.Put(ctx, body, "pdf"); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("full", func(b *testing.B) {
		b.SetBytes(500 * 64 << 10)
		for b.Loop() {
			b.StopTimer()
			dst, err := At(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if st, err := src.CopyTo(ctx, dst); err != nil || st.Copied != 500 {
				b.Fatalf("copied %d, %v", st.Copied, err)
			}
		}
	})
	b.Run("incremental", func(b *testing.B) {
		dst, err := At(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := src.CopyTo(ctx, dst); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if st, err := src.CopyTo(ctx, dst); err != nil || st.Present != 500 {
				b.Fatalf("present %d, %v", st.Present, err)
			}
		}
	})
}
