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

// ErrCorrupt is returned (wrapped) when a file's bytes do not match the hash
// in its name, or the size or hash recorded for it.
var ErrCorrupt = errors.New("evidence file corrupt")

// File identifies one stored evidence file.
type File struct {
	SHA256 string // hex SHA-256 of the content
	Path   string // relative to the evidence directory, with forward slashes: "ab/abcdef….pdf"
	Size   int64
}

// Dir is an evidence directory. It is safe for concurrent use, also by
// several processes sharing the directory.
type Dir struct {
	root string
}

// Open opens the evidence directory dir, creating it if needed.
func Open(dir string) (*Dir, error) {
	d, err := At(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.root, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: create %s: %w", d.root, err)
	}
	return d, nil
}

// At names the directory dir without creating or checking it, for a service
// that must keep running while its evidence folder is unavailable (a
// missing mount, a file in its place): Put fails, with the cause, until the
// folder is there again. Open is the usual way.
func At(dir string) (*Dir, error) {
	if dir == "" {
		return nil, errors.New("evidence: empty directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return &Dir{root: abs}, nil
}

// Root returns the absolute path of the directory.
func (d *Dir) Root() string { return d.root }

// Put stores data under its SHA-256 with the extension ext ("pdf", ".png";
// empty for none) and returns where it is. Storing bytes that are already
// there returns the existing file; finding other bytes under the same name
// returns an error wrapping ErrCorrupt and leaves that file untouched.
func (d *Dir) Put(ctx context.Context, data []byte, ext string) (File, error) {
	if err := ctx.Err(); err != nil {
		return File{}, err
	}
	ext, err := cleanExt(ext)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	f := File{SHA256: hexsum, Path: hexsum[:2] + "/" + hexsum + ext, Size: int64(len(data))}

	sub := filepath.Join(d.root, hexsum[:2])
	newSub := false
	if err := os.Mkdir(sub, 0o750); err == nil {
		newSub = true
	} else if !errors.Is(err, fs.ErrExist) {
		return File{}, fmt.Errorf("evidence: create %s: %w", sub, err)
	}
	final := filepath.Join(d.root, filepath.FromSlash(f.Path))
	if _, err := os.Lstat(final); err == nil {
		return f, d.Verify(ctx, f)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return File{}, fmt.Errorf("evidence: %w", err)
	}

	tmp, err := os.CreateTemp(sub, ".tmp-"+hexsum[:16]+"-*")
	if err != nil {
		return File{}, fmt.Errorf("evidence: temp file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once linked into place
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return File{}, fmt.Errorf("evidence: write %s: %w", tmpName, err)
	}
	if err := tmp.Chmod(0o440); err != nil {
		tmp.Close()
		return File{}, fmt.Errorf("evidence: chmod %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return File{}, fmt.Errorf("evidence: sync %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return File{}, fmt.Errorf("evidence: close %s: %w", tmpName, err)
	}
	// The temporary file is moved into place with a hard link and then
	// removed: unlike rename, a link fails when the target exists, so a file
	// that appeared meanwhile (another writer of the same bytes, or
	// something else) is never replaced.
	if err := os.Link(tmpName, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return f, d.Verify(ctx, f)
		}
		// A file system without hard links: rename, after checking
		// once more that the name is free.
		if _, serr := os.Lstat(final); serr == nil {
			return f, d.Verify(ctx, f)
		}
		if rerr := os.Rename(tmpName, final); rerr != nil {
			return File{}, fmt.Errorf("evidence: link %s: %w; rename: %w", final, err, rerr)
		}
	}
	if err := syncDir(sub); err != nil {
		return File{}, err
	}
	if newSub {
		if err := syncDir(d.root); err != nil {
			return File{}, err
		}
	}
	return f, nil
}

// Verify re-hashes the stored file f and checks it against f's hash, size
// and name. A mismatch returns an error wrapping ErrCorrupt; a missing file
// returns an error wrapping fs.ErrNotExist.
func (d *Dir) Verify(ctx context.Context, f File) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(f.SHA256) != 64 || HashFromName(f.Path) != f.SHA256 {
		return fmt.Errorf("evidence: %s: name does not carry hash %q: %w", f.Path, f.SHA256, ErrCorrupt)
	}
	r, err := d.Open(f.Path)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, r})
	if err != nil {
		return fmt.Errorf("evidence: read %s: %w", f.Path, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != f.SHA256 {
		return fmt.Errorf("evidence: %s: content hash %s, want %s: %w", f.Path, got, f.SHA256, ErrCorrupt)
	}
	if n != f.Size {
		return fmt.Errorf("evidence: %s: size %d, want %d: %w", f.Path, n, f.Size, ErrCorrupt)
	}
	return nil
}

// Open opens the stored file at rel (a File's Path) for reading. Paths that
// leave the directory are refused.
func (d *Dir) Open(rel string) (*os.File, error) {
	p, err := d.abs(rel)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return f, nil
}

// ReadFile returns the content of the stored file at rel after checking
// it against the hash in its name.
func (d *Dir) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	r, err := d.Open(rel)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(ctxReader{ctx, r})
	if err != nil {
		return nil, fmt.Errorf("evidence: read %s: %w", rel, err)
	}
	sum := sha256.Sum256(data)
	if want := HashFromName(rel); want != hex.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("evidence: %s: content does not match its name: %w", rel, ErrCorrupt)
	}
	return data, nil
}

func (d *Dir) abs(rel string) (string, error) {
	clean := path(rel)
	if clean == "" || filepath.IsAbs(rel) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("evidence: path %q is not inside the evidence directory", rel)
	}
	return filepath.Join(d.root, filepath.FromSlash(clean)), nil
}

func path(rel string) string { return strings.TrimPrefix(filepath.ToSlash(rel), "./") }

// HashFromName returns the hex SHA-256 a stored file's name carries.
func HashFromName(rel string) string {
	base := filepath.Base(filepath.FromSlash(rel))
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return base
}

func cleanExt(ext string) (string, error) {
	ext = strings.TrimPrefix(ext, ".")
	if ext == "" {
		return "", nil
	}
	for _, r := range ext {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", fmt.Errorf("evidence: extension %q: only lower-case letters and digits", ext)
		}
	}
	if len(ext) > 10 {
		return "", fmt.Errorf("evidence: extension %q too long", ext)
	}
	return "." + ext, nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evidence: open dir %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("evidence: sync dir %s: %w", dir, err)
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// HashFile returns the hex SHA-256 and size of the file at path, read as a
// stream: the one file hash uppsikt's documents, packages and backups use.
func HashFile(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	if size, err = io.Copy(h, f); err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}
