package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/slsim/slsim/exercise"
)

// An instructor serves two pods on exercise 4. The trainee of pod 1 fixes
// the fault over SSH, after trying the wrong fix first; pod 2 does
// nothing. The operator console's class table tells them apart, the
// export holds the same in CSV and JSON, and the runs outlive a restart.
func TestServeExerciseClass(t *testing.T) {
	state := t.TempDir()
	out := &syncBuffer{}
	in, feed := io.Pipe()
	started := make(chan struct{})
	done := make(chan error, 1)
	opts := serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 2, saveEvery: time.Minute, state: state, exercise: "4", langName: "en",
		user: defaultUser, secret: defaultSecret, console: true, stdin: in, stdout: out, stderr: out, afterStart: func() { close(started) }}
	go func() { done <- runServe(context.Background(), opts) }()
	<-started
	text := out.String()
	require.Contains(t, text, "pod1 exercise 4: \"Failure reason: Communication transport not available.\"")
	m := regexp.MustCompile(`pod1 sw1 ssh (\S+)`).FindStringSubmatch(text)
	require.NotNil(t, m, text)

	var key []byte
	c := login(t, m[1], &key)
	sess, err := c.NewSession()
	require.NoError(t, err)
	require.NoError(t, sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{}))
	w, _ := sess.StdinPipe()
	sess.Stdout = io.Discard
	require.NoError(t, sess.Shell())
	io.WriteString(w, "configure terminal\rcall-home\rprofile MyProfile\r"+
		"destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService\r"+
		"reporting smart-licensing-data\rend\r"+
		"license smart register idtoken "+regexp.MustCompile(`pod1 token (\S+)`).FindStringSubmatch(text)[1]+"\rexit\r")
	require.NoError(t, sess.Wait())
	c.Close()

	dir := t.TempDir()
	io.WriteString(feed, "lab advance 1m\nlab exercise check\nclass\nclass export "+filepath.Join(dir, "class.csv")+
		"\nclass export "+filepath.Join(dir, "class.json")+"\npod 2\nlab exercise hint\nlab exercise start 3\nclass export "+filepath.Join(dir, "class.txt")+"\nquit\n")
	require.NoError(t, <-done)
	text = out.String()
	assert.Contains(t, text, "solved\nwrong fixes tried:\n  - MyProfile / destination address http: the destination was not the problem")
	assert.Regexp(t, `pod1 +4 +yes +1m\d*s? .* 0 +1 +8 +exit`, text, "the class table: pod 1 solved, one wrong fix, eight commands")
	assert.Regexp(t, `pod2 +4 +no `, text)
	assert.Contains(t, text, "(1/3) show call-home profile all")
	assert.Contains(t, text, "% lab: this world is served: start slsim serve with --exercise <ID>")
	assert.Contains(t, text, "% class export <file.csv|file.json>")

	f, err := os.Open(filepath.Join(dir, "class.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"pod", "exercise", "device", "solved", "gave_up", "virtual_seconds", "real_seconds", "hints", "wrong_fixes", "wrong", "commands", "checks", "missed_events"}, rows[0])
	assert.Equal(t, []string{"pod1", "4", "sw1", "true", "false"}, rows[1][:5])
	assert.Equal(t, "MyProfile / destination address http", rows[1][9])
	assert.Equal(t, []string{"pod2", "4", "sw1", "false", "false"}, rows[2][:5])
	b, err := os.ReadFile(filepath.Join(dir, "class.json"))
	require.NoError(t, err)
	var entries []exercise.Entry
	require.NoError(t, json.Unmarshal(b, &entries))
	require.Len(t, entries, 2)
	assert.True(t, entries[0].Solved)
	assert.Equal(t, 8, entries[0].Commands)
	assert.Equal(t, []string{"reporting smart-licensing-data", "end", "license smart register idtoken <removed>", "exit"}, entries[0].Last[1:],
		"the last commands, the token not kept")

	// A restart goes on with the runs: pod 2's hint is still counted.
	out2 := &syncBuffer{}
	in2, feed2 := io.Pipe()
	started2 := make(chan struct{})
	opts.stdin, opts.stdout, opts.stderr, opts.afterStart = in2, out2, out2, func() { close(started2) }
	go func() { done <- runServe(context.Background(), opts) }()
	<-started2
	io.WriteString(feed2, "class\nquit\n")
	require.NoError(t, <-done)
	assert.Regexp(t, `pod1 +4 +yes `, out2.String())
	assert.Regexp(t, `pod2 +4 +no +\S+ +\S+ +1 +0 +0 `, out2.String(), "pod 2: the hint the instructor pushed; the console's lines are not the trainee's")
}
