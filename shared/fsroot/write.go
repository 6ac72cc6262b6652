package fsroot

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// WriteFile writes data to the named file atomically: readers see the old
// file or the new one whole, and on error nothing is left behind. The
// parent directory must exist.
func (r *Root) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return r.write(name, perm, true, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Stream writes what fill produces to the named file atomically, as
// WriteFile does, without holding it in memory. With durable false the
// data is not synced to disk before the rename (a crash of the machine
// may lose it, never half of it), which suits reports a later step of the
// same job reads. An error from fill leaves nothing behind and is
// returned as it is.
func (r *Root) Stream(name string, perm fs.FileMode, durable bool, fill func(w io.Writer) error) error {
	return r.write(name, perm, durable, fill)
}

func (r *Root) write(name string, perm fs.FileMode, durable bool, fill func(w io.Writer) error) (err error) {
	name = cleanFS(name)
	dir, base := path.Split(name)
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp := dir + "." + base + ".tmp-" + hex.EncodeToString(suffix[:])
	f, err := r.root.OpenFile(osName(tmp), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, wrap(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			_ = r.root.Remove(osName(tmp))
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if durable {
		if err = f.Sync(); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err = r.Rename(tmp, name); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if durable {
		r.syncDir(dir)
	}
	return nil
}

// syncDir makes a rename durable where the platform allows it; best
// effort, since the file itself is complete.
func (r *Root) syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	d, err := r.root.Open(osName(dir))
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
