package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store is where uppsikt keeps its evidence files: a folder (Dir) or an
// S3-compatible bucket (package s3store). Every Store keeps the same
// content-addressed names ("ab/abcdef….pdf"), writes a file once and never
// replaces it, and reports a file whose bytes do not match its name with an
// error wrapping ErrCorrupt and a missing file with one wrapping
// fs.ErrNotExist. A Store is safe for concurrent use.
type Store interface {
	// Put stores data under its SHA-256 with the extension ext and
	// returns where it is once it is durably stored. Storing bytes that
	// are already there returns the existing file after checking it.
	Put(ctx context.Context, data []byte, ext string) (File, error)
	// Verify reads the stored file f back and checks its hash and size.
	Verify(ctx context.Context, f File) error
	// ReadFile returns the content of the stored file at rel after
	// checking it against the hash in its name.
	ReadFile(ctx context.Context, rel string) ([]byte, error)
	// Get opens the stored file at rel for reading, unchecked.
	Get(ctx context.Context, rel string) (io.ReadCloser, error)
	// Has reports whether a file is stored at rel.
	Has(ctx context.Context, rel string) (bool, error)
	// Walk calls fn with the name of every stored file, in no promised
	// order, until fn returns an error.
	Walk(ctx context.Context, fn func(rel string) error) error
	// String says where the files are, for logs and messages (never a
	// credential).
	String() string
}

var _ Store = (*Dir)(nil)

// Get opens the stored file at rel for reading (Open, for the Store
// interface).
func (d *Dir) Get(ctx context.Context, rel string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d.Open(rel)
}

// Has reports whether a file is stored at rel.
func (d *Dir) Has(ctx context.Context, rel string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	p, err := d.abs(rel)
	if err != nil {
		return false, err
	}
	if _, err := os.Lstat(p); err == nil {
		return true, nil
	} else if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else {
		return false, fmt.Errorf("evidence: %w", err)
	}
}

// Walk calls fn with the name of every file in the directory, skipping
// unfinished temporary files; a directory that does not exist yet has
// none.
func (d *Dir) Walk(ctx context.Context, fn func(rel string) error) error {
	return filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == d.root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return fmt.Errorf("evidence: walk %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() || !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		return fn(filepath.ToSlash(rel))
	})
}

// String is the directory's path.
func (d *Dir) String() string { return d.root }

// Copy copies every evidence file of src that dst does not have into dst,
// between any two stores (a folder and a bucket, for a backup of a bucket
// or a restore into one; Dir.CopyTo is the streaming copy between two
// folders and is used when both are folders). Files dst already has are
// left as they are; a source file whose content does not match its name is
// not copied and is listed in CopyStats.Corrupt. Each file is read whole
// into memory and stored with dst.Put, which checks it once more.
func Copy(ctx context.Context, src, dst Store) (CopyStats, error) {
	if s, ok := src.(*Dir); ok {
		if d, ok := dst.(*Dir); ok {
			return s.CopyTo(ctx, d)
		}
	}
	var st CopyStats
	err := src.Walk(ctx, func(rel string) error {
		has, err := dst.Has(ctx, rel)
		if err != nil {
			return err
		}
		if has {
			st.Present++
			return nil
		}
		data, err := src.ReadFile(ctx, rel)
		if errors.Is(err, ErrCorrupt) {
			st.Corrupt = append(st.Corrupt, rel)
			return nil
		}
		if err != nil {
			return err
		}
		f, err := dst.Put(ctx, data, ExtOf(rel))
		if err != nil {
			return err
		}
		if f.Path != rel {
			return fmt.Errorf("evidence: %s was stored as %s: %w", rel, f.Path, ErrCorrupt)
		}
		st.Copied++
		st.Bytes += f.Size
		return nil
	})
	return st, err
}

// Name returns the content-addressed name of data with the extension ext,
// as every Store names it: the File Put would return.
func Name(data []byte, ext string) (File, error) {
	ext, err := cleanExt(ext)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	return File{SHA256: hexsum, Path: hexsum[:2] + "/" + hexsum + ext, Size: int64(len(data))}, nil
}

// ExtOf returns the extension of a stored file's name, without the dot
// ("pdf"; empty for none).
func ExtOf(rel string) string {
	base := filepath.Base(filepath.FromSlash(rel))
	if i := strings.IndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return ""
}

// CheckName reports whether rel is a well-formed stored file's name
// ("ab/abcdef….ext" with 64 hex digits), so that a Store never reads or
// writes outside its own names.
func CheckName(rel string) error {
	rel = path(rel)
	dir, base, ok := strings.Cut(rel, "/")
	h := HashFromName(base)
	if !ok || len(h) != 64 || dir != h[:2] || strings.Contains(base, "/") {
		return fmt.Errorf("evidence: %q is not an evidence file name", rel)
	}
	if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
		return fmt.Errorf("evidence: %q is not an evidence file name", rel)
	}
	if _, err := cleanExt(ExtOf(base)); err != nil {
		return err
	}
	return nil
}
