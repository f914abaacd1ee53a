package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

	sess, w, _ := terminal(t, m[1])
	io.WriteString(w, "configure terminal\rcall-home\rprofile MyProfile\r"+
		"destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService\r"+
		"reporting smart-licensing-data\rend\r"+
		"license smart register idtoken "+regexp.MustCompile(`pod1 token (\S+)`).FindStringSubmatch(text)[1]+"\rexit\r")
	require.NoError(t, sess.Wait())

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

// The instructor's class page in Chromium: a trainee's login is refused,
// the instructor's opens the table of both pods; as pod 1's trainee
// registers over SSH the table turns it solved without a reload; Push
// hint reaches pod 2's SSH session; Reset starts pod 1 over, on a world
// its trainee finds unregistered again.
func TestClassPageInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser takes a few seconds")
	}
	bin := chromium(t)
	out := &syncBuffer{}
	in, feed := io.Pipe()
	defer feed.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 2, saveEvery: time.Minute, state: t.TempDir(),
			exercise: "register", langName: "en", instructor: "teacher", instructorSecret: "chalk-and-board",
			user: defaultUser, secret: defaultSecret, console: true, stdin: in, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	<-started
	text := out.String()
	m := regexp.MustCompile(`class (https://\S+)/class user teacher password chalk-and-board`).FindStringSubmatch(text)
	require.NotNil(t, m, text)
	site := m[1]
	ssh1 := regexp.MustCompile(`pod1 sw1 ssh (\S+)`).FindStringSubmatch(text)[1]
	ssh2 := regexp.MustCompile(`pod2 sw1 ssh (\S+)`).FindStringSubmatch(text)[1]
	token1 := regexp.MustCompile(`pod1 token (\S+)`).FindStringSubmatch(text)[1]

	browser := newBrowser(t, bin)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(browser, steps...))
	}
	textOf := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(browser, chromedp.Text(css(sel)))
		require.NoError(t, err)
		return s
	}
	signIn := func(user, pass string) {
		do(chromedp.Navigate(site+"/class"), chromedp.WaitVisible(css("#signin")),
			chromedp.SendKeys(css("#username"), user), chromedp.SendKeys(css("#password"), pass), chromedp.Click(css("#signin")))
	}

	// The trainees' login does not open the page.
	signIn(defaultUser, defaultSecret)
	do(chromedp.WaitVisible(css("#login-error")))
	assert.Contains(t, textOf("#login-error"), "This page is for the instructor")

	signIn("teacher", "chalk-and-board")
	do(chromedp.WaitVisible(css("#class")))
	assert.Equal(t, "working", textOf("#pod-pod1 .state"))
	assert.Equal(t, "working", textOf("#pod-pod2 .state"))

	// Pod 1's trainee registers and saves; the table follows by itself.
	shell := func(addr, lines string) string {
		t.Helper()
		sess, w, got := terminal(t, addr)
		io.WriteString(w, lines)
		require.NoError(t, sess.Wait())
		return got.String()
	}
	shell(ssh1, "license smart register idtoken "+token1+"\rexit\r")
	io.WriteString(feed, "pod 1\nlab advance 1m\n")
	shell(ssh1, "write memory\rexit\r")
	require.Eventually(t, func() bool {
		s, err := chromedp.Run(browser, chromedp.Text(css("#pod-pod1 .state")))
		return err == nil && s == "solved"
	}, 15*time.Second, 200*time.Millisecond, "the table refreshes itself")

	// A hint pushed to pod 2 reaches its trainee's open terminal.
	sess2, w2, term2 := terminal(t, ssh2)
	require.Eventually(t, func() bool { return strings.Contains(term2.String(), "sw1#") }, 5*time.Second, 20*time.Millisecond)
	do(chromedp.Click(css("#pod-pod2 button.hint")), chromedp.WaitVisible(css("#flash")))
	require.Eventually(t, func() bool {
		s, err := chromedp.Run(browser, chromedp.Text(css("#flash")))
		return err == nil && strings.Contains(s, "pod2: (1/3) Read show license status") && strings.Contains(s, "sent to 1 session(s) on sw1")
	}, 10*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool {
		s, err := chromedp.Run(browser, chromedp.Text(css("#pod-pod2 .hints")))
		return err == nil && s == "1"
	}, 10*time.Second, 100*time.Millisecond)
	io.WriteString(w2, "show clock\rexit\r")
	require.NoError(t, sess2.Wait())
	assert.Contains(t, term2.String(), "*** Message from the instructor to all terminals:\r\n***\r\n(1/3) Read show license status")

	// Reset asks for a second click, then starts pod 1 over.
	do(chromedp.Click(css("#pod-pod1 button.reset")))
	assert.Contains(t, textOf("#flash"), "click again to confirm")
	do(chromedp.Click(css("#pod-pod1 button.reset")))
	require.Eventually(t, func() bool {
		s, err := chromedp.Run(browser, chromedp.Text(css("#flash")))
		return err == nil && s == "pod1 started over"
	}, 10*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool {
		s, err := chromedp.Run(browser, chromedp.Text(css("#pod-pod1 .state")))
		return err == nil && s == "working"
	}, 10*time.Second, 200*time.Millisecond)
	status := shell(ssh1, "show license status | include Status: [UR]\rexit\r")
	assert.Contains(t, status, "Status: UNREGISTERED", "the trainee finds the new world")

	// Signed out, the page asks for the login again.
	do(chromedp.Click(css("#signout")), chromedp.WaitVisible(css("#signin")))
}

// terminal opens an interactive session on a served switch, as a
// trainee's SSH client does: what is typed into w, what comes back in out.
func terminal(t *testing.T, addr string) (sess *ssh.Session, w io.Writer, out *syncBuffer) {
	t.Helper()
	var key []byte
	c := login(t, addr, &key)
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	require.NoError(t, err)
	require.NoError(t, sess.RequestPty("vt100", 24, 200, ssh.TerminalModes{}))
	w, err = sess.StdinPipe()
	require.NoError(t, err)
	out = &syncBuffer{}
	sess.Stdout = out
	require.NoError(t, sess.Shell())
	return sess, w, out
}
