package evidence

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// onlyStore hides a Dir behind the Store interface, so that Copy takes its
// path for other stores (a bucket).
type onlyStore struct{ Store }

func TestDirAsStore(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "ev"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Put(ctx, []byte("one"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Put(ctx, []byte("two"), "")
	if err != nil {
		t.Fatal(err)
	}
	// An unfinished temporary file is not evidence.
	if err := os.WriteFile(filepath.Join(d.String(), a.Path[:2], ".tmp-x"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := d.Walk(ctx, func(rel string) error { names = append(names, rel); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	want := []string{a.Path, b.Path}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("Walk = %v, want %v", names, want)
	}
	if has, err := d.Has(ctx, a.Path); err != nil || !has {
		t.Fatalf("Has = %v, %v", has, err)
	}
	if has, err := d.Has(ctx, "00/"+a.SHA256); err != nil || has {
		t.Fatalf("Has of a missing file = %v, %v", has, err)
	}
	if _, err := d.Has(ctx, "../x"); err == nil {
		t.Fatal("Has outside the folder")
	}
	r, err := d.Get(ctx, a.Path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "one" {
		t.Fatalf("Get = %q", got)
	}
	if ExtOf(a.Path) != "pdf" || ExtOf(b.Path) != "" {
		t.Fatalf("ExtOf = %q, %q", ExtOf(a.Path), ExtOf(b.Path))
	}
	if n, _ := Name([]byte("one"), ".pdf"); n != a {
		t.Fatalf("Name = %+v, Put = %+v", n, a)
	}
	var none []string
	missing, _ := At(filepath.Join(t.TempDir(), "none"))
	if err := missing.Walk(ctx, func(rel string) error { none = append(none, rel); return nil }); err != nil || len(none) != 0 {
		t.Fatalf("Walk of a missing folder = %v, %v", none, err)
	}
}

func TestCopyBetweenStores(t *testing.T) {
	ctx := context.Background()
	src, _ := Open(filepath.Join(t.TempDir(), "src"))
	dst, _ := Open(filepath.Join(t.TempDir(), "dst"))
	good, _ := src.Put(ctx, []byte("good"), "pdf")
	bad, _ := src.Put(ctx, []byte("bad"), "pdf")
	p := filepath.Join(src.String(), filepath.FromSlash(bad.Path))
	os.Chmod(p, 0o600)
	if err := os.WriteFile(p, []byte("bda"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Copy(ctx, onlyStore{src}, onlyStore{dst})
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied != 1 || st.Bytes != 4 || !slices.Equal(st.Corrupt, []string{bad.Path}) {
		t.Fatalf("Copy = %+v", st)
	}
	if err := dst.Verify(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := dst.Verify(ctx, bad); err == nil {
		t.Fatal("the damaged file was copied")
	}
	st, err = Copy(ctx, onlyStore{src}, onlyStore{dst})
	if err != nil || st.Copied != 0 || st.Present != 1 {
		t.Fatalf("second Copy = %+v, %v", st, err)
	}
	// Between two folders Copy is the streaming CopyTo.
	dst2, _ := Open(filepath.Join(t.TempDir(), "dst2"))
	if st, err := Copy(ctx, src, dst2); err != nil || st.Copied != 1 || len(st.Corrupt) != 1 {
		t.Fatalf("Copy between folders = %+v, %v", st, err)
	}
}

func TestCheckName(t *testing.T) {
	f, _ := Name([]byte("x"), "pdf")
	for _, ok := range []string{f.Path, f.Path[:len(f.Path)-4]} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "x", "../" + f.Path, "ff/" + f.Path[3:], f.Path[:2] + "/" + f.Path[3:20] + ".pdf", "ab/" + f.Path, f.Path + "/x",
		f.Path[:3] + "G" + f.Path[4:], f.Path[:len(f.Path)-4] + ".PDF"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) accepted", bad)
		}
	}
}
