package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteReplacesWholeWithItsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "world.json")
	require.NoError(t, Write(path, []byte("one"), 0o600))
	require.NoError(t, Write(path, []byte("two"), 0o600))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two", string(got))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}

func TestAFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "world.json")
	require.NoError(t, Write(path, []byte("old"), 0o600))
	// The rename fails: a directory stands where the file would go.
	blocked := filepath.Join(dir, "blocked")
	require.NoError(t, os.MkdirAll(filepath.Join(blocked, "x"), 0o700))
	assert.Error(t, Write(blocked, []byte("new"), 0o600))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "world.json and the directory: no temporary file")
}

func TestSweepRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".world.json.tmp-123", ".https.key.tmp-9", "world.json", ".hidden"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o600))
	}
	n, err := Sweep(dir)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"world.json", ".hidden"}, names)
}

func TestReadIsBounded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "world.json")
	require.NoError(t, os.WriteFile(path, []byte("0123456789"), 0o600))
	got, err := Read(path, 10)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(got))
	_, err = Read(path, 9)
	assert.ErrorContains(t, err, "larger than 9")
	_, err = Read("/dev/zero", MaxRead)
	assert.ErrorContains(t, err, "not a regular file")
	_, err = Read(dir, MaxRead)
	assert.ErrorContains(t, err, "not a regular file")
}
