package sweep

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/hubgates/hub/shared/fsroot"
)

// credentialFiles are where tools keep credentials, relative to a home
// folder: swept in every home even when the home is not swept whole.
var credentialFiles = []string{
	".git-credentials", ".gitconfig", ".netrc", ".npmrc", ".pypirc", ".yarnrc.yml",
	".docker/config.json", ".kube/config", ".aws/credentials", ".aws/config",
	".config/gcloud/application_default_credentials.json", ".config/gh/hosts.yml",
	".azure/accessTokens.json", ".azure/msal_token_cache.json", ".m2/settings.xml",
	".gradle/gradle.properties", ".cargo/credentials.toml", ".terraform.d/credentials.tfrc.json",
}

// binarySniff is how much of a file is checked for a NUL byte: a file with
// one is binary and is skipped, as gitleaks skips it.
const binarySniff = 8000

// tree is one folder to sweep: its root, the folder inside it, and how its
// files are named in findings.
type tree struct {
	root    *fsroot.Root
	dir     string              // slash-separated, "." for the root itself
	name    func(string) string // a path inside root to its name in findings
	only    []string            // when set, only these files (relative to dir)
	skipGit bool                // skip .git folders but for their config
}

// sweepFiles sweeps the trees, the files in parallel. Symbolic links are
// not followed; files above max bytes and binary files are skipped and
// counted; a file is swept once even when trees overlap.
func sweepFiles(ctx context.Context, det *Detector, rep *Report, trees []tree, max int64) error {
	type job struct {
		root *fsroot.Root
		rel  string
		name string
	}
	var jobs []job
	seen := map[string]bool{}
	addFile := func(t tree, rel string) {
		n := t.name(rel)
		if !seen[n] {
			seen[n] = true
			jobs = append(jobs, job{t.root, rel, n})
		}
	}
	for _, t := range trees {
		if t.only != nil {
			for _, f := range t.only {
				rel := path.Join(t.dir, f)
				fi, err := t.root.Lstat(rel)
				switch {
				case err != nil:
				case fi.Mode()&fs.ModeSymlink != 0:
					rep.Links++
				case fi.Mode().IsRegular():
					addFile(t, rel)
				}
			}
			continue
		}
		err := fs.WalkDir(t.root.FS(), t.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
					if p == t.dir {
						return err
					}
					rep.Unreadable++
					return nil
				}
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				rep.Links++
			case d.IsDir() && d.Name() == ".git" && t.skipGit:
				// Objects are compressed and hold history, not the live
				// job; the config is where checkout leaves its header.
				if fi, err := t.root.Lstat(path.Join(p, "config")); err == nil && fi.Mode().IsRegular() {
					addFile(t, path.Join(p, "config"))
				}
				return fs.SkipDir
			case d.Type().IsRegular():
				addFile(t, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	work := make(chan job)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if err := sweepFile(ctx, det, rep, j.root, j.rel, j.name, max); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// sweepFile reads one file through its root and scans it.
func sweepFile(ctx context.Context, det *Detector, rep *Report, root *fsroot.Root, rel, name string, max int64) error {
	b, err := root.ReadFile(rel, max)
	switch {
	case errors.Is(err, fsroot.ErrTooLarge):
		rep.count(&rep.SkippedLarge)
		return nil
	case errors.Is(err, fsroot.ErrEscapes), errors.Is(err, fsroot.ErrNotRegular):
		rep.count(&rep.Links)
		return nil
	case errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrNotExist):
		rep.count(&rep.Unreadable)
		return nil
	case err != nil:
		return err
	}
	if bytes.IndexByte(b[:min(len(b), binarySniff)], 0) >= 0 {
		rep.count(&rep.SkippedBinary)
		return nil
	}
	rep.count(&rep.Files)
	rep.add(Location{Kind: KindFile, Path: name}, det.Scan(ctx, string(b), strings.TrimPrefix(name, "host/")))
	return nil
}
