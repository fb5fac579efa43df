package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// A backup folder holds backupDB (the SQLite online backup), the evidence
// folder's files under backupEvidence, and backupManifest, written last:
// a folder without a manifest is not a finished backup.
const (
	backupDB       = "uppsikt.db"
	backupEvidence = "evidence"
	backupManifest = "manifest.json"
)

// backupManifestFile is manifest.json: what the backup holds and how it was
// verified.
type backupManifestFile struct {
	Format   int       `json:"format"` // 1
	Created  time.Time `json:"created"`
	Uppsikt  string    `json:"uppsikt"` // version and revision of the binary that made it
	Source   string    `json:"source_database"`
	Database struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	} `json:"database"`
	Evidence struct {
		Folder  string `json:"folder"`
		Files   int    `json:"files"`  // files in the backup's evidence folder
		Copied  int    `json:"copied"` // of which copied by this run (the rest were there from an earlier backup)
		Bytes   int64  `json:"bytes_copied"`
		Checked string `json:"checked"` // the verification's summary line
	} `json:"evidence"`
	Counts moderation.Stats `json:"counts"`
}

// runBackup is "uppsikt backup -config FILE -out DIR".
func runBackup(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "backup", "-config FILE -out DIR")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	out := fs.String("out", "", "the backup folder: new, empty, or an earlier backup to bring up to date (evidence is copied incrementally)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("%w: -out is required", errUsage)
	}
	// The backup changes nothing in the store: read-only parts.
	pt, st, err := openParts(ctx, env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	// evidence.At, not the parts' folder: a backup creates nothing at the
	// source, and a missing evidence folder has nothing to copy. Evidence
	// in a bucket is copied into the backup folder like a folder's.
	var src evidence.Store
	if pt.cfg.Evidence.Backend == "s3" {
		src, err = newBucket(pt.cfg)
	} else {
		src, err = evidence.At(pt.cfg.Paths.Evidence)
	}
	if err != nil {
		return err
	}
	// The backup copies SQLite's file; a PostgreSQL store is backed up
	// with PostgreSQL's own tools.
	sq, ok := st.(*sqlite.Store)
	if !ok {
		return fmt.Errorf("uppsikt backup copies the SQLite database; with store.driver %s use the database's own backup (pg_dump) and copy the evidence", pt.cfg.Store.Driver)
	}
	m, err := backup(ctx, pt.log, sq, pt.cfg.Paths.Database, src, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "backup %s: ok — database %s (%d bytes), %d evidence files (%d copied now, %d bytes); %s\n",
		*out, m.Database.SHA256[:12], m.Database.Size, m.Evidence.Files, m.Evidence.Copied, m.Evidence.Bytes, m.Evidence.Checked)
	return nil
}

// backup writes a verified backup of st and the evidence folder or bucket
// src into dir. The database is copied first, in one read snapshot; the evidence
// files it records were committed before it, so the evidence copied after
// it holds every one of them (and perhaps a few newer ones).
func backup(ctx context.Context, log *slog.Logger, st *sqlite.Store, dbPath string, src evidence.Store, dir string) (backupManifestFile, error) {
	var m backupManifestFile
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return m, fmt.Errorf("backup folder: %w", err)
	}
	earlier, err := backupFolderState(dir)
	if err != nil {
		return m, err
	}
	// The new database copy goes beside the old one until it is verified.
	tmpDB := filepath.Join(dir, backupDB+".new")
	if err := removeDB(tmpDB); err != nil {
		return m, err
	}
	if err := st.Backup(ctx, tmpDB); err != nil {
		return m, err
	}
	dst, err := evidence.Open(filepath.Join(dir, backupEvidence))
	if err != nil {
		return m, err
	}
	stats, err := evidence.Copy(ctx, src, dst)
	if err != nil {
		return m, fmt.Errorf("copy evidence: %w", err)
	}
	for _, rel := range stats.Corrupt {
		log.Error("evidence file corrupt in the evidence folder: not copied", "path", rel, "in", src.String())
	}
	// The new copy is verified before it replaces an earlier backup's
	// database and manifest, so a failed run leaves the earlier backup as
	// it was (plus the evidence files it added).
	counts, summary, err := verifyCopy(ctx, tmpDB, dst)
	if err != nil {
		if errors.Is(err, evidence.ErrCorrupt) {
			err = fmt.Errorf("%w (a damaged file in the backup: remove it there and run backup again, it is copied anew)", err)
		}
		return m, fmt.Errorf("the backup in %s does not verify: %w", dir, err)
	}
	if len(stats.Corrupt) > 0 {
		return m, fmt.Errorf("%d evidence files in %s are corrupt and were not copied (first: %s): %w", len(stats.Corrupt), src.String(), stats.Corrupt[0], evidence.ErrCorrupt)
	}
	if earlier {
		if err := os.Remove(filepath.Join(dir, backupManifest)); err != nil {
			return m, fmt.Errorf("backup folder: %w", err)
		}
	}
	if err := removeDB(filepath.Join(dir, backupDB)); err != nil {
		return m, err
	}
	if err := os.Rename(tmpDB, filepath.Join(dir, backupDB)); err != nil {
		return m, fmt.Errorf("backup folder: %w", err)
	}
	m.Format = 1
	m.Created = time.Now().UTC().Truncate(time.Second)
	m.Uppsikt = binaryVersion()
	m.Source = dbPath
	m.Database.File = backupDB
	m.Database.SHA256, m.Database.Size, err = evidence.HashFile(filepath.Join(dir, backupDB))
	if err != nil {
		return m, err
	}
	m.Evidence.Folder = backupEvidence
	m.Evidence.Files, err = countFiles(dst.Root())
	if err != nil {
		return m, err
	}
	m.Evidence.Copied, m.Evidence.Bytes, m.Evidence.Checked = stats.Copied, stats.Bytes, summary
	m.Counts = counts
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, fmt.Errorf("manifest: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, backupManifest), bytes.NewReader(append(data, '\n')), 0o640); err != nil {
		return m, err
	}
	log.Info("backup written", "folder", dir, "evidence_files", m.Evidence.Files, "evidence_copied", stats.Copied)
	return m, nil
}

// backupFolderState reports whether dir holds an earlier backup (a
// manifest), and refuses a folder that holds anything else.
func backupFolderState(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("backup folder: %w", err)
	}
	manifest := false
	for _, e := range entries {
		switch e.Name() {
		case backupManifest:
			manifest = true
		case backupDB, backupEvidence, backupDB + ".new", backupDB + ".new-wal", backupDB + ".new-shm":
		default:
			return false, fmt.Errorf("backup folder %s holds %s: give an empty folder or an earlier backup", dir, e.Name())
		}
	}
	if !manifest && len(entries) > 0 {
		return false, fmt.Errorf("backup folder %s holds an unfinished backup (no %s): remove it or give another folder", dir, backupManifest)
	}
	return manifest, nil
}

// verifyCopy opens the database copy at dbPath (without touching the
// configured store), runs SQLite's integrity check, re-hashes every
// evidence file it records in dir and checks the audit chain.
func verifyCopy(ctx context.Context, dbPath string, dir evidence.Store) (moderation.Stats, string, error) {
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return moderation.Stats{}, "", err
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		return moderation.Stats{}, "", err
	}
	var out bytes.Buffer
	if err := verifyAll(ctx, &out, st, dir); err != nil {
		return moderation.Stats{}, "", err
	}
	counts, err := st.Stats(ctx)
	if err != nil {
		return moderation.Stats{}, "", err
	}
	return counts, strings.TrimSpace(strings.TrimPrefix(out.String(), "ok: ")), st.Close()
}

// runRestore is "uppsikt restore -config FILE -from DIR [-force]".
func runRestore(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "restore", "-config FILE -from DIR [-force]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file: the backup is restored to its paths.database and its evidence folder (paths.evidence) or bucket (evidence.s3)")
	from := fs.String("from", "", "the backup folder (made by uppsikt backup)")
	force := fs.Bool("force", false, "restore although the data folder is not empty: the database there is kept beside as *.before-restore-TIME, evidence files are only added")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return fmt.Errorf("%w: -from is required", errUsage)
	}
	// Restore builds no part: it writes the store's files itself.
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	// The backup holds SQLite's file; a PostgreSQL store is restored with
	// PostgreSQL's own tools (pg_restore), before this would write a file
	// that store.driver postgres never reads.
	if cfg.Store.Driver == config.DriverPostgres {
		return fmt.Errorf("uppsikt restore writes the SQLite database; with store.driver %s restore the database with its own tools (pg_restore) and copy the evidence back", cfg.Store.Driver)
	}
	openEvidence := func() (evidence.Store, error) { return evidence.Open(cfg.Paths.Evidence) }
	if cfg.Evidence.Backend == "s3" {
		openEvidence = func() (evidence.Store, error) { return newBucket(cfg) }
	}
	counts, summary, err := restore(ctx, pt.log, *from, cfg.Paths.Data, cfg.Paths.Database, cfg.Paths.Evidence, openEvidence, *force, time.Now)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restore from %s: ok — %d accounts, %d comments, %d versions; %s\n", *from, counts.Accounts, counts.Comments, counts.Versions, summary)
	return nil
}

// restore copies the backup in from to the database dbPath and the
// evidence store openEvidence opens (the folder evDir, or a bucket) and
// verifies the result.
func restore(ctx context.Context, log *slog.Logger, from, data, dbPath, evDir string, openEvidence func() (evidence.Store, error), force bool, now func() time.Time) (moderation.Stats, string, error) {
	var m backupManifestFile
	raw, err := os.ReadFile(filepath.Join(from, backupManifest))
	if err != nil {
		return moderation.Stats{}, "", fmt.Errorf("%s is not a finished backup: %w", from, err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return moderation.Stats{}, "", fmt.Errorf("%s: %w", backupManifest, err)
	}
	if m.Format != 1 || m.Database.File == "" || m.Evidence.Folder == "" {
		return moderation.Stats{}, "", fmt.Errorf("%s: not a manifest of uppsikt backup format 1", filepath.Join(from, backupManifest))
	}
	srcDB := filepath.Join(from, filepath.Base(m.Database.File))
	sum, size, err := evidence.HashFile(srcDB)
	if err != nil {
		return moderation.Stats{}, "", err
	}
	if sum != m.Database.SHA256 || size != m.Database.Size {
		return moderation.Stats{}, "", fmt.Errorf("%s: SHA-256 %s (%d bytes), the manifest says %s (%d bytes): the backup's database was changed or damaged", srcDB, sum, size, m.Database.SHA256, m.Database.Size)
	}
	busy, err := dataInUse(data, dbPath, evDir)
	if err != nil {
		return moderation.Stats{}, "", err
	}
	if busy != "" && !force {
		return moderation.Stats{}, "", fmt.Errorf("%s is not empty (%s): restore into an empty data folder, or give -force", data, busy)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return moderation.Stats{}, "", fmt.Errorf("data folder: %w", err)
	}
	if _, err := os.Stat(dbPath); err == nil {
		aside := dbPath + ".before-restore-" + now().UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dbPath+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return moderation.Stats{}, "", fmt.Errorf("keep the database aside: %w", err)
			}
		}
		log.Warn("the database in the data folder is kept aside", "path", aside)
	}
	in, err := os.Open(srcDB)
	if err != nil {
		return moderation.Stats{}, "", fmt.Errorf("read backup database: %w", err)
	}
	err = writeFileSync(dbPath, in, 0o600)
	in.Close()
	if err != nil {
		return moderation.Stats{}, "", err
	}
	src, err := evidence.At(filepath.Join(from, filepath.Base(m.Evidence.Folder)))
	if err != nil {
		return moderation.Stats{}, "", err
	}
	dst, err := openEvidence()
	if err != nil {
		return moderation.Stats{}, "", err
	}
	stats, err := evidence.Copy(ctx, src, dst)
	if err != nil {
		return moderation.Stats{}, "", fmt.Errorf("copy evidence: %w", err)
	}
	counts, summary, err := verifyCopy(ctx, dbPath, dst)
	if err != nil {
		return moderation.Stats{}, "", fmt.Errorf("the restored data in %s does not verify: %w", data, err)
	}
	if len(stats.Corrupt) > 0 {
		return moderation.Stats{}, "", fmt.Errorf("%d evidence files in the backup are corrupt and were not restored (first: %s): %w", len(stats.Corrupt), stats.Corrupt[0], evidence.ErrCorrupt)
	}
	if counts != m.Counts {
		return moderation.Stats{}, "", fmt.Errorf("the restored database counts %+v, the backup's manifest %+v", counts, m.Counts)
	}
	log.Info("backup restored", "from", from, "evidence_copied", stats.Copied, "evidence_present", stats.Present)
	return counts, summary, nil
}

// dataInUse names what is already in the data folder ("" if nothing):
// the database, or files in the evidence folder or the data folder.
func dataInUse(data, dbPath, evDir string) (string, error) {
	if _, err := os.Stat(dbPath); err == nil {
		return "database " + dbPath, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("data folder: %w", err)
	}
	for _, d := range []string{evDir, data} {
		entries, err := os.ReadDir(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("data folder: %w", err)
		}
		for _, e := range entries {
			// An empty evidence folder inside the data folder is empty.
			if d == data && e.IsDir() && filepath.Join(data, e.Name()) == filepath.Clean(evDir) {
				if n, err := countFiles(evDir); err == nil && n == 0 {
					continue
				}
			}
			return filepath.Join(d, e.Name()), nil
		}
	}
	return "", nil
}

// countFiles counts the regular files under dir (a missing dir has none).
func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".tmp-") {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count files in %s: %w", dir, err)
	}
	return n, nil
}

// removeDB removes a database file and its -wal and -shm files.
func removeDB(path string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", path+suffix, err)
		}
	}
	return nil
}

// writeFileSync writes a new file through a temporary file, fsynced and
// renamed into place.
func writeFileSync(path string, data io.Reader, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// binaryVersion is this binary's version line for the manifest.
func binaryVersion() string {
	bi, ok := debug.ReadBuildInfo()
	v := readVersion(buildStamp, bi, ok)
	if v.Revision == "" {
		return v.Version
	}
	return v.Version + " " + v.Revision
}
