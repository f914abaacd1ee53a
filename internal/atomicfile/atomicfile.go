// Package atomicfile writes files that a crash never leaves half written,
// and reads the files slsim loads whole, within a bound.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tempMark is in the name of every temporary file Write makes, so that
// Sweep knows them.
const tempMark = ".tmp-"

// Write writes a file so that a crash leaves either the old file or the
// new one whole: into a temporary file beside it (mode perm from the
// start), synced, renamed over it, and the directory synced so that the
// rename itself survives a power cut. A failed write leaves no temporary
// file behind.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempMark+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Sweep removes the temporary files that a crash in the middle of a Write
// left in dir, and says how many it removed.
func Sweep(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && strings.HasPrefix(name, ".") && strings.Contains(name, tempMark) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// MaxRead is the largest file Read takes: world, estate, schedule and lab
// files. [model]
const MaxRead = 256 << 20

// Read reads a whole regular file of at most max bytes, refusing others
// (a device such as /dev/zero, a pipe, a file too large) before reading.
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return data, nil
}

// Open opens a regular file of at most max bytes for reading, refusing
// others.
func Open(path string, max int64) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > max {
		f.Close()
		return nil, fmt.Errorf("%s: %d bytes, larger than %d", path, st.Size(), max)
	}
	return f, nil
}
