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

// CopyStats counts what CopyTo did.
type CopyStats struct {
	Copied  int      // files written to the target
	Present int      // files the target already had (left untouched)
	Bytes   int64    // bytes copied
	Corrupt []string // source files whose content does not match their name: not copied
}

// CopyTo copies every evidence file of d that dst does not have into dst,
// for a backup or a restore. Neither side's existing files are ever
// changed: a file dst already has is left as it is (Verify finds it if it
// is damaged), so copying into an earlier copy only adds what is new. Each
// copied file is hashed on the way and written like Put writes (temporary
// file, fsync, link into place, mode 0440); a source file whose content
// does not match the hash in its name is not copied and is listed in
// CopyStats.Corrupt. Unfinished temporary files (".tmp-*") are skipped; a
// directory d that does not exist yet has nothing to copy.
func (d *Dir) CopyTo(ctx context.Context, dst *Dir) (CopyStats, error) {
	var st CopyStats
	if err := os.MkdirAll(dst.root, 0o750); err != nil {
		return st, fmt.Errorf("evidence: create %s: %w", dst.root, err)
	}
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == d.root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // no evidence yet
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
		rel = filepath.ToSlash(rel)
		target, err := dst.abs(rel)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(target); err == nil {
			st.Present++
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("evidence: %w", err)
		}
		n, err := copyFile(ctx, p, target, HashFromName(rel))
		if errors.Is(err, ErrCorrupt) {
			st.Corrupt = append(st.Corrupt, rel)
			return nil
		}
		if err != nil {
			return err
		}
		st.Copied++
		st.Bytes += n
		return nil
	})
	return st, err
}

// copyFile copies src to the new file target through a temporary file in
// target's folder, checking that the content hashes to want.
func copyFile(ctx context.Context, src, target, want string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("evidence: %w", err)
	}
	defer in.Close()
	sub := filepath.Dir(target)
	if err := os.MkdirAll(sub, 0o750); err != nil {
		return 0, fmt.Errorf("evidence: create %s: %w", sub, err)
	}
	tmp, err := os.CreateTemp(sub, ".tmp-copy-*")
	if err != nil {
		return 0, fmt.Errorf("evidence: temp file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once linked into place
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, in})
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("evidence: copy %s: %w", src, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		tmp.Close()
		return 0, fmt.Errorf("evidence: %s: content hash %s, want %s: %w", src, got, want, ErrCorrupt)
	}
	if err := tmp.Chmod(0o440); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("evidence: chmod %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("evidence: sync %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("evidence: close %s: %w", tmpName, err)
	}
	if err := os.Link(tmpName, target); err != nil {
		if _, serr := os.Lstat(target); serr == nil {
			return 0, nil // appeared meanwhile: never replaced
		}
		if rerr := os.Rename(tmpName, target); rerr != nil {
			return 0, fmt.Errorf("evidence: link %s: %w; rename: %w", target, err, rerr)
		}
	}
	return n, syncDir(sub)
}
