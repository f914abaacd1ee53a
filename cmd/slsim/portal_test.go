package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// newBrowser starts Chromium headless for one test, with 90 s for
// everything it does; it ends with the test.
func newBrowser(t *testing.T, bin string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.IgnoreCertErrors, chromedp.WindowSize(1200, 900))...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	browser, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return browser
}

// chromium finds Debian's Chromium; CI installs it, elsewhere the test is
// skipped without it.
func chromium(t *testing.T) string {
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI needs Chromium (Debian's chromium)")
	}
	t.Skip("no Chromium")
	return ""
}

// TestPortalInABrowser drives the portal of `slsim serve` with a real
// Chromium: sign in, move DNA licenses out of Campus, create a token,
// register the served switch with it over SSH, see the instance in
// Product Instances and the shortfall in Licenses and Alerts, transfer
// licenses back and see the alert clear. With SLSIM_SCREENSHOTS set to a
// directory it saves the main pages there (docs/img holds them).
func TestPortalInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser takes a few seconds")
	}
	bin := chromium(t)
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 60, pods: 1, saveEvery: time.Minute, state: t.TempDir(),
			user: defaultUser, secret: defaultSecret, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	<-started
	m := regexp.MustCompile(`sw1 ssh (\S+) https \S+\n(?s:.*)cssm https://(\S+) `).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	sshAddr, site := m[1], "https://"+m[2]

	browser := newBrowser(t, bin)

	// The forms that remove, revoke or transfer ask first: the test
	// accepts each question, as a user clicking OK, and keeps its text.
	var asked syncBuffer
	dialogs := make(chan string, 16)
	require.NoError(t, chromedp.Listen(browser, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs <- d.Message
		}
	}))
	go func() {
		for msg := range dialogs {
			asked.Write([]byte(msg + "\n"))
			chromedp.Call(browser, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	defer close(dialogs)

	shots := os.Getenv("SLSIM_SCREENSHOTS")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(browser, steps...))
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(browser, chromedp.Text(css(sel)))
		require.NoError(t, err)
		return s
	}
	// textOf navigates and reads an element's text, or "" on failure.
	textOf := func(url, sel string) string {
		if chromedp.Do(browser, chromedp.Navigate(url)) != nil {
			return ""
		}
		s, _ := chromedp.Run(browser, chromedp.Text(css(sel)))
		return s
	}
	transfer := func(from, to string, qty string) {
		t.Helper()
		do(chromedp.Navigate(site+"/inventory?va="+from+"&tab=licenses"),
			chromedp.SetValue(css("#transfer-license"), "C9300-24 DNA Advantage"),
			chromedp.SetValue(css("#transfer-qty"), qty),
			chromedp.SetValue(css("#transfer-target"), to),
			chromedp.Click(css("#transfer")),
			chromedp.WaitVisible(css("#flash")))
		require.Contains(t, text("#flash"), qty+" licenses were transferred to "+to+".")
		require.Contains(t, asked.String(), "Transfer these licenses to the other virtual account?", "asked first")
	}

	// Sign in.
	do(chromedp.Navigate(site + "/login"))
	shot("login")
	do(chromedp.SendKeys(css("#username"), defaultUser),
		chromedp.SendKeys(css("#password"), defaultSecret),
		chromedp.Click(css("#signin")),
		chromedp.WaitVisible(css("#account")))
	require.Equal(t, "ACME Corporation", text("#account"))

	// Campus keeps 1 of its 10 DNA licenses: the switch will be short.
	transfer("Campus", "DEFAULT", "9")

	// A new token, copied from the page.
	do(chromedp.Navigate(site+"/inventory?va=Campus&tab=general"),
		chromedp.Click(css("#open-new-token")),
		chromedp.WaitVisible(css("#new-token-dialog")),
		chromedp.SendKeys(css("#token-description"), "from the portal"),
		chromedp.SetValue(css("#token-uses"), "1"),
		chromedp.Click(css("#create-token")),
		chromedp.WaitVisible(css("#new-token")))
	token, err := chromedp.Run(browser, chromedp.Value(css("#new-token")))
	require.NoError(t, err)
	require.NotEmpty(t, token)
	shot("inventory-general")
	row := text("#tokens tbody tr:first-child")
	assert.Contains(t, row, "0 of 1", "one use allowed, from the dialog")
	assert.Contains(t, row, defaultUser, "Created By the portal user")

	// Register the served switch with it, over SSH.
	c, err := ssh.Dial("tcp", sshAddr, &ssh.ClientConfig{User: defaultUser, Auth: []ssh.AuthMethod{ssh.Password(defaultSecret)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	require.NoError(t, err)
	sess, err := c.NewSession()
	require.NoError(t, err)
	reply, err := sess.Output("license smart register idtoken " + token)
	require.NoError(t, err)
	require.Contains(t, string(reply), "Registration process is in progress")
	c.Close()

	// The instance appears; its consumption leaves Campus short.
	require.Eventually(t, func() bool {
		s := textOf(site+"/inventory?va=Campus&tab=instances", "#instances")
		return strings.Contains(s, "sw1") && strings.Contains(s, "C9300 24P DNA Advantage")
	}, 30*time.Second, 300*time.Millisecond)
	shot("inventory-instances")
	require.Eventually(t, func() bool {
		return strings.Contains(textOf(site+"/alerts?va=Campus", "#alerts"), "Insufficient Licenses")
	}, 30*time.Second, 300*time.Millisecond)
	shot("alerts")
	do(chromedp.Navigate(site + "/inventory?va=Campus&tab=licenses"))
	shot("inventory-licenses")
	require.Regexp(t, `C9300 24P DNA Advantage\s+Prepaid\s+1\s+2\s+0\s+-1\s+Insufficient Licenses`, text("#licenses"))

	// Licenses transferred back: the alert clears.
	transfer("DEFAULT", "Campus", "9")
	do(chromedp.Navigate(site+"/alerts?va=Campus"), chromedp.WaitVisible(css("#no-alerts")))
	do(chromedp.Navigate(site + "/inventory?va=Campus&tab=events"))
	shot("inventory-events")
	require.Contains(t, text("#events"), "transferred from Campus to DEFAULT")
	do(chromedp.Navigate(site + "/lab"))
	shot("lab")
}

// The portal of a served twin of 10,000 registered switches, in
// Chromium: its CSSM holds the 10,000 product instances; a search finds
// one serial, and paging walks to the last page.
func TestTwinPortalInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10,000-switch twin and a browser take seconds")
	}
	bin := chromium(t)
	var b strings.Builder
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&b, "device sw%05d version 17.3.1 level network-advantage va Campus state registered\n  switch C9300-24P FOC%07dX\n", i, i)
	}
	b.WriteString("pool\n  10000 C9300-24 Network Advantage\n")
	estate := filepath.Join(t.TempDir(), "twin.txt")
	require.NoError(t, os.WriteFile(estate, []byte(b.String()), 0o644))
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Hour, state: t.TempDir(),
			estate: estate, loopback: true, sshSet: true, httpsSet: true, user: defaultUser, secret: defaultSecret, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`cssm https://(\S+) `).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	site := "https://" + m[1]

	browser := newBrowser(t, bin)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(browser, chromedp.Text(css(sel)))
		require.NoError(t, err)
		return s
	}
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(site+"/login"), chromedp.SendKeys(css("#username"), defaultUser),
		chromedp.SendKeys(css("#password"), defaultSecret), chromedp.Click(css("#signin")), chromedp.WaitVisible(css("#account"))))
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(site+"/inventory?va=Campus&tab=instances"), chromedp.WaitVisible(css("#pager"))))
	assert.Equal(t, "10000", text("#found"), "every switch of the twin a product instance")
	require.NoError(t, chromedp.Do(browser, chromedp.SendKeys(css("#search"), "FOC0004242X"), chromedp.Click(css("#search-go")),
		chromedp.WaitVisible(css(`tr[data-sn="FOC0004242X"]`))))
	assert.Equal(t, "1", text("#found"))
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(site+"/inventory?va=Campus&tab=instances"), chromedp.Click(css("#page-last")),
		chromedp.WaitVisible(css(`tr[data-sn="FOC0010000X"]`))))
	assert.Equal(t, "400", text("#page-no"))
}
