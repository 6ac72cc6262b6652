package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes data to path through a temporary file in the same
// directory, synced and renamed over path, so path never holds a partial
// file. On error nothing is left behind.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return write(path, writeAll(data), perm, true)
}

// WriteReport is WriteFile without the syncs to disk: readers still see
// the old file or the whole new one, but a crash of the machine may lose
// the write. It is for reports a later step of the same job reads (SARIF),
// which that crash loses with the job; the sync was most of the wall time
// a scan spent writing a large report.
func WriteReport(path string, data []byte, perm os.FileMode) error {
	return write(path, writeAll(data), perm, false)
}

// StreamReport is WriteReport for content produced by fill, which writes
// it to w (buffered) instead of building it in memory first. An error from
// fill leaves nothing behind and is returned as it is.
func StreamReport(path string, perm os.FileMode, fill func(w io.Writer) error) error {
	return write(path, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 64<<10)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	}, perm, false)
}

func writeAll(data []byte) func(*os.File) error {
	return func(f *os.File) error {
		_, err := f.Write(data)
		return err
	}
}

func write(path string, fill func(*os.File) error, perm os.FileMode, durable bool) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return fmt.Errorf("writing %q: %w", path, err)
		}
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes the rename durable where the platform allows it. It is best
// effort: some systems cannot fsync a directory, and the file itself is
// already complete.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
