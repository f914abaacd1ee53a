package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/scenario"
)

// twin registers n product instances in the lab's Campus account, as an
// estate's switches would have: sw00001 FDO00000001 …
func twin(t testing.TB, r *rig, n int) {
	t.Helper()
	c, now := r.lab.World.CSSM(), r.lab.World.Now()
	tok, err := c.CreateToken(now, scenario.Account, scenario.VA, cssm.TokenOptions{ExpiresAfterDays: 30})
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		_, err := c.Handle(now, license.Register{ID: uint64(i), UDI: license.UDI{PID: "C9300-24P", SN: fmt.Sprintf("FDO%08d", i)},
			Hostname: fmt.Sprintf("sw%05d", i), Token: tok.Value})
		require.NoError(t, err)
	}
}

// A table of 10,000 product instances comes a page at a time (25 rows
// unless the request asks for 10, 50 or 100), searched on the server: a
// serial finds its one switch; paging walks to the last page and no
// further; the links keep the virtual account, tab, search and size.
func TestInstancesPageAndSearch(t *testing.T) {
	r := newRig(t)
	twin(t, r, 10000)
	r.signIn()
	rows := regexp.MustCompile(`<tr data-sn="`)
	code, page := r.get("/inventory?va=Campus&tab=instances")
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, rows.FindAllString(page, -1), 25)
	assert.Contains(t, page, `Showing 1–25 of <span id="found">10000</span> records`)
	assert.Contains(t, page, `Page <span id="page-no">1</span> of <span id="pages">400</span>`)
	assert.Contains(t, page, `href="/inventory?page=2&amp;tab=instances&amp;va=Campus"`)

	_, page = r.get("/inventory?va=Campus&tab=instances&q=fdo00004242")
	assert.Len(t, rows.FindAllString(page, -1), 1)
	assert.Contains(t, page, `data-sn="FDO00004242"`)
	assert.Contains(t, page, "matching &ldquo;fdo00004242&rdquo; (10000 in all)")

	_, page = r.get("/inventory?va=Campus&tab=instances&size=100&page=100")
	assert.Len(t, rows.FindAllString(page, -1), 100)
	assert.Contains(t, page, `Showing 9901–10000 of`)
	assert.NotContains(t, page, `id="page-next"`, "the last page")
	_, page = r.get("/inventory?va=Campus&tab=instances&size=7&page=99999")
	assert.Contains(t, page, `Page <span id="page-no">400</span> of <span id="pages">400</span>`, "an unknown size is the default; a page past the end is the last")
	_, page = r.get("/inventory?va=Campus&tab=instances&q=" + strings.Repeat("x", 500))
	assert.Contains(t, page, "No records", "a long search is cut, not refused")

	_, page = r.get("/activity?q=FDO00009999")
	assert.Contains(t, page, `of <span id="found">1</span> records`, "the Activity log (its latest 1,000 events) is searched too")
}

// BenchmarkInstancesPage is the cost of one page of a 10,000-instance
// account's Product Instances, searched or not, rendered.
func BenchmarkInstancesPage(b *testing.B) {
	r := newRig(b)
	twin(b, r, 10000)
	r.signIn()
	for name, q := range map[string]string{"all": "", "search": "&q=FDO00004242"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if code, _ := r.get("/inventory?va=Campus&tab=instances" + q); code != http.StatusOK {
					b.Fatal(code)
				}
			}
		})
	}
}

// The same in Chromium, as a user does it: type a serial in the search
// box; walk to the last page with its link; each page in under a second.
func TestInstancesPagingInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser takes a few seconds")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs Chromium (Debian's chromium)")
		}
		t.Skip("no Chromium")
	}
	r := newRig(t)
	twin(t, r, 10000)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.IgnoreCertErrors, chromedp.WindowSize(1200, 900))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	browser, cancelTimeout := context.WithTimeout(browser, 60*time.Second)
	defer cancelTimeout()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(browser, steps...))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(browser, chromedp.Text(css(sel)))
		require.NoError(t, err)
		return s
	}
	timed := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		start := time.Now()
		do(steps...)
		t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond)) // reported, not asserted: machines differ
	}
	do(chromedp.Navigate(r.srv.URL+"/login"), chromedp.SendKeys(css("#username"), "jdoe"), chromedp.SendKeys(css("#password"), "s3cret!"),
		chromedp.Click(css("#signin")), chromedp.WaitVisible(css("#account")))
	timed("first page", chromedp.Navigate(r.srv.URL+"/inventory?va=Campus&tab=instances"), chromedp.WaitVisible(css("#pager")))
	assert.Equal(t, "10000", text("#found"))
	timed("search", chromedp.SendKeys(css("#search"), "FDO00004242"), chromedp.Click(css("#search-go")), chromedp.WaitVisible(css(`tr[data-sn="FDO00004242"]`)))
	assert.Equal(t, "1", text("#found"))
	do(chromedp.Navigate(r.srv.URL+"/inventory?va=Campus&tab=instances"), chromedp.WaitVisible(css("#page-last")))
	timed("last page", chromedp.Click(css("#page-last")), chromedp.WaitVisible(css(`tr[data-sn="FDO00010000"]`)))
	assert.Equal(t, "400", text("#page-no"))
	timed("previous page", chromedp.Click(css("#page-prev")), chromedp.WaitVisible(css(`tr[data-sn="FDO00009975"]`)))
	assert.Equal(t, "399", text("#page-no"))
}
