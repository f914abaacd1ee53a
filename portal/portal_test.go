package portal_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/portal"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/sim"
)

type rig struct {
	t   testing.TB
	lab *scenario.Lab
	mu  sync.Mutex
	srv *httptest.Server
	c   *http.Client
}

func newRig(t testing.TB) *rig {
	t.Helper()
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	c, now := l.World.CSSM(), l.World.Now()
	require.NoError(t, c.AddUser(now, scenario.Account, "jdoe", "s3cret!"))
	require.NoError(t, c.CreateSmartAccount(now, "Other", "other.org"))
	r := &rig{t: t, lab: l}
	r.srv = httptest.NewTLSServer(&portal.Portal{AuthDelay: -1, Access: func(f func(w *sim.World, c *cssm.CSSM, now time.Time) error) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		return f(l.World, l.World.CSSM(), l.World.Now())
	}})
	t.Cleanup(r.srv.Close)
	jar, _ := cookiejar.New(nil)
	r.c = r.srv.Client()
	r.c.Jar = jar
	return r
}

func (r *rig) get(path string) (int, string) {
	r.t.Helper()
	resp, err := r.c.Get(r.srv.URL + path)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *rig) post(path string, form url.Values) (int, string) {
	r.t.Helper()
	resp, err := r.c.PostForm(r.srv.URL+path, form)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (r *rig) signIn() string {
	r.t.Helper()
	code, page := r.post("/login", url.Values{"user": {"jdoe"}, "password": {"s3cret!"}})
	require.Equal(r.t, http.StatusOK, code)
	require.Contains(r.t, page, `<span id="user">jdoe</span>`)
	m := csrfRE.FindStringSubmatch(page)
	require.NotNil(r.t, m)
	return m[1]
}

func (r *rig) world(f func(w *sim.World)) { r.mu.Lock(); defer r.mu.Unlock(); f(r.lab.World) }

func TestSignIn(t *testing.T) {
	r := newRig(t)
	code, page := r.get("/inventory")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `<form method="post" action="/login"`, "redirected to sign in")
	code, page = r.post("/login", url.Values{"user": {"jdoe"}, "password": {"wrong"}})
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, page, "The user name or password is not correct.")
	r.signIn()
	code, page = r.get("/inventory")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Virtual Account: DEFAULT", "Inventory opens on the account's default virtual account, as CSSM's does")
	assert.Contains(t, page, "<option selected>DEFAULT</option>")
	assert.Contains(t, page, `<span id="vtime" title="the world's virtual time">2024-Mar-04 10:00 UTC</span>`)
	code, page = r.get("/inventory?sa=Other")
	assert.Equal(t, http.StatusBadRequest, code, "jdoe has no access to Other")
	assert.Contains(t, page, "you have no access to that smart account")
}

func TestFormsNeedTheCSRFToken(t *testing.T) {
	r := newRig(t)
	csrf := r.signIn()
	code, _ := r.post("/tokens/create", url.Values{"va": {"Campus"}, "days": {"30"}, "description": {"forged"}})
	assert.Equal(t, http.StatusForbidden, code)
	forged := "00" + csrf[2:]
	if forged == csrf { // a random token can start with 00 itself
		forged = "ff" + csrf[2:]
	}
	code, _ = r.post("/tokens/create", url.Values{"va": {"Campus"}, "days": {"30"}, "description": {"forged"}, "csrf": {forged}})
	assert.Equal(t, http.StatusForbidden, code)
	toks, _ := r.lab.World.CSSM().Tokens(scenario.Account, "Campus")
	assert.Len(t, toks, 1, "no token was made")
}

func TestTokensLicensesInstances(t *testing.T) {
	r := newRig(t)
	csrf := r.signIn()
	code, page := r.post("/tokens/create", url.Values{"csrf": {csrf}, "va": {"Campus"}, "days": {"30"}, "description": {"portal"}, "export": {"on"}})
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "The token was created.")
	m := regexp.MustCompile(`id="new-token" readonly value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the new token is shown to copy")
	tok := m[1]
	_, again := r.get("/inventory?va=Campus")
	assert.NotContains(t, again, `id="new-token"`, "shown once")

	// Refusals say why and change nothing.
	_, page = r.post("/tokens/create", url.Values{"csrf": {csrf}, "va": {"Campus"}, "days": {"0"}})
	assert.Contains(t, page, "Expire After must be a whole number from 1 to 365")
	_, page = r.post("/licenses/transfer", url.Values{"csrf": {csrf}, "va": {"Campus"}, "license": {"C9300-24 DNA Advantage"}, "qty": {"11"}, "target": {"DEFAULT"}})
	assert.Contains(t, page, "only 10 available")
	_, page = r.post("/licenses/transfer", url.Values{"csrf": {csrf}, "va": {"Campus"}, "license": {"C9300-24 DNA Advantage"}, "qty": {"x"}, "target": {"DEFAULT"}})
	assert.Contains(t, page, "Quantity must be a whole number")
	toks, _ := r.lab.World.CSSM().Tokens(scenario.Account, "Campus")
	assert.Len(t, toks, 2)

	// Out of compliance: 9 of the 10 DNA licenses leave, the switch registers.
	_, page = r.post("/licenses/transfer", url.Values{"csrf": {csrf}, "va": {"Campus"}, "license": {"C9300-24 DNA Advantage"}, "qty": {"9"}, "target": {"DEFAULT"}})
	assert.Contains(t, page, "9 licenses were transferred to DEFAULT.")
	r.world(func(w *sim.World) {
		_, err := w.Register(r.lab.Device, tok, false)
		require.NoError(t, err)
		require.NoError(t, w.RunFor(time.Minute))
	})
	_, page = r.get("/inventory?va=Campus&tab=instances")
	assert.Contains(t, page, "<td>sw1</td>")
	_, page = r.get("/inventory?va=Campus&tab=licenses")
	assert.Regexp(t, `(?s)data-license="C9300 24P DNA Advantage".*?<td class="n in-use">2</td>.*<td class="n balance short">-1</td><td>Insufficient Licenses</td>`, page)
	_, page = r.get("/alerts?va=Campus")
	assert.Contains(t, page, "Insufficient Licenses: The virtual account Campus needs 1 more")
	// Back from DEFAULT: the alert clears.
	_, page = r.post("/licenses/transfer", url.Values{"csrf": {csrf}, "va": {"DEFAULT"}, "license": {"C9300-24 DNA Advantage"}, "qty": {"9"}, "target": {"Campus"}})
	assert.Contains(t, page, "9 licenses were transferred to Campus.")
	_, page = r.get("/alerts?va=Campus")
	assert.Contains(t, page, `id="no-alerts"`)

	// The event log names the portal's user.
	_, page = r.get("/inventory?va=DEFAULT&tab=events")
	assert.Regexp(t, `9 C9300 24P DNA Advantage license\(s\) were transferred from DEFAULT to Campus.</td><td>[^<]+</td><td>jdoe</td>`, page)
	_, page = r.get("/activity")
	assert.Contains(t, page, "Product instance sw1 (PID:C9300-24P,SN:FOC2133Z0AB) was registered.")

	// Reports export as CSV.
	code, body := r.get("/reports/licenses.csv?va=Campus")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "License,Virtual Account,Purchased,In Use,Substitution,Balance,Status\n"+
		"C9300 24P DNA Advantage,Campus,10,2,0,8,In Compliance\n"+
		"C9300 24P Network Advantage,Campus,10,2,0,8,In Compliance\n", body)

	// Remove the instance.
	_, page = r.post("/instances/remove", url.Values{"csrf": {csrf}, "va": {"Campus"}, "pid": {"C9300-24P"}, "sn": {"FOC2133Z0AB"}})
	assert.Contains(t, page, "The product instance was removed.")
	_, page = r.get("/inventory?va=Campus&tab=instances")
	assert.Contains(t, page, "No product instances")

	// The lab page: the device, its state chart and the timeline.
	_, page = r.get("/lab")
	assert.Contains(t, page, "<td>sw1</td>")
	assert.Contains(t, page, `<svg xmlns="http://www.w3.org/2000/svg"`)
	assert.Contains(t, page, "<title>OUT OF COMPLIANCE</title>", "the switch learns of the licenses at its next renewal")
	assert.Equal(t, 1, strings.Count(page, "<title>EVAL MODE</title>"), "one band per status")
}

func TestSignOut(t *testing.T) {
	r := newRig(t)
	csrf := r.signIn()
	r.post("/logout", url.Values{"csrf": {csrf}})
	_, page := r.get("/inventory")
	assert.True(t, strings.Contains(page, `action="/login"`), "signed out")
}

// After days of virtual time the Lab page also draws the fleet reports'
// chart: devices per authorization status, day by day.
func TestLabFleetChart(t *testing.T) {
	r := newRig(t)
	r.signIn()
	r.world(func(w *sim.World) {
		_, err := w.Register(r.lab.Device, r.lab.Token, false)
		require.NoError(t, err)
		require.NoError(t, w.RunFor(10*24*time.Hour))
	})
	_, page := r.get("/lab")
	assert.Contains(t, page, `<polygon points=`)
	assert.Contains(t, page, "<title>AUTHORIZED</title>")
	assert.Contains(t, page, `id="states"`, "and the per-device bands")
}

// Convert to Smart Licensing: a PAK converted once (a second time is
// refused), a registered 3850's licenses converted from the portal, and
// both in the Conversion History.
func TestConvertPages(t *testing.T) {
	f, err := os.Open("../examples/estates/dlc.txt")
	require.NoError(t, err)
	defer f.Close()
	l, err := scenario.NewEstate(1, f)
	require.NoError(t, err)
	c, now := l.World.CSSM(), l.World.Now()
	require.NoError(t, c.AddUser(now, scenario.Account, "jdoe", "s3cret!"))
	require.NoError(t, c.AddPAK(now, scenario.Account, cssm.PAK{ID: "3850PAK0001", OrderNumber: "801234567", VA: "Campus",
		Lines: []cssm.PAKLine{{SKU: "C3850-24-S-E", Tag: "C3850-24 IP Services", Quantity: 4}}}))
	_, err = l.World.Register("c3850", l.Token, false)
	require.NoError(t, err)
	require.NoError(t, l.World.RunFor(time.Minute))
	r := &rig{t: t, lab: l}
	r.srv = httptest.NewTLSServer(&portal.Portal{AuthDelay: -1, Access: func(f func(w *sim.World, c *cssm.CSSM, now time.Time) error) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		return f(l.World, l.World.CSSM(), l.World.Now())
	}})
	defer r.srv.Close()
	jar, _ := cookiejar.New(nil)
	r.c = r.srv.Client()
	r.c.Jar = jar
	csrf := r.signIn()

	_, page := r.get("/convert?va=Campus&tab=paks")
	assert.Contains(t, page, "<td>3850PAK0001</td><td>C3850-24-S-E (4)<br></td>")
	_, page = r.post("/convert/pak", url.Values{"csrf": {csrf}, "va": {"Campus"}, "pak": {"3850PAK0001"}, "target": {"Campus"}})
	assert.Contains(t, page, "PAK 3850PAK0001 was converted into Campus.")
	assert.Contains(t, page, "C3850-24-S-E (4, 4 converted)")
	_, page = r.post("/convert/pak", url.Values{"csrf": {csrf}, "va": {"Campus"}, "pak": {"3850PAK0001"}, "target": {"Campus"}})
	assert.Contains(t, page, "already converted")

	_, page = r.get("/convert?va=Campus&tab=licenses")
	assert.Contains(t, page, "<td>WS-C3850-24P</td><td>FOC1920X0AA</td>")
	_, page = r.post("/convert/device", url.Values{"csrf": {csrf}, "va": {"Campus"}, "pid": {"WS-C3850-24P"}, "sn": {"FOC1920X0AA"}})
	assert.Contains(t, page, "The licenses of c3850 were converted.")
	assert.Contains(t, page, "No devices with traditional licenses to convert.")
	_, page = r.post("/convert/device", url.Values{"csrf": {csrf}, "va": {"Campus"}, "pid": {"WS-C3850-24P"}, "sn": {"FOC1920X0AA"}})
	assert.Contains(t, page, "no such device with licenses to convert")

	_, page = r.get("/convert?va=Campus&tab=history")
	assert.Contains(t, page, "<td>Convert Licenses</td><td>PID:WS-C3850-24P,SN:FOC1920X0AA</td><td>2 C3850 24P IP Services, 1 C3850 48P IP Services</td>")
	assert.Contains(t, page, "<td>PAK</td><td>PAK 3850PAK0001</td><td>4 C3850 24P IP Services</td>")
}

// Pages and actions are the routes' own: an unknown page is 404, a page
// posted to or an action fetched is 405 with Allow.
func TestRoutes(t *testing.T) {
	r := newRig(t)
	r.signIn()
	code, _ := r.get("/nowhere")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = r.get("/reports/nowhere.csv")
	assert.Equal(t, http.StatusNotFound, code)
	resp, err := r.c.Get(r.srv.URL + "/tokens/create")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "POST", resp.Header.Get("Allow"))
	req, err := http.NewRequest(http.MethodDelete, r.srv.URL+"/inventory", nil)
	require.NoError(t, err)
	resp, err = r.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
	code, page := r.get("/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Virtual Account: DEFAULT", "the root is the inventory")
}

// A token just made never travels in a URL (history, logs, Referer): the
// redirect after the form names none, the page shows it from the session,
// and the pages allow no inline script.
func TestNewTokenStaysOutOfURLs(t *testing.T) {
	r := newRig(t)
	csrf := r.signIn()
	noFollow := *r.c
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.PostForm(r.srv.URL+"/tokens/create", url.Values{"csrf": {csrf}, "va": {"Campus"}, "days": {"30"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	_, fresh := r.get(loc)
	m2 := regexp.MustCompile(`id="new-token" readonly value="([^"]+)"`).FindStringSubmatch(fresh)
	require.NotNil(t, m2)
	assert.NotContains(t, loc, m2[1])
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
}

// The New Token dialog: closed on the page, open without script at
// ?new=token, with every field CSSM's dialog has; a token made in the
// portal names its maker, one made by the lab the system.
func TestNewTokenDialog(t *testing.T) {
	r := newRig(t)
	csrf := r.signIn()
	_, page := r.get("/inventory?va=Campus&tab=general")
	assert.Contains(t, page, `<dialog id="new-token-dialog" aria-labelledby="new-token-title">`, "closed")
	_, page = r.get("/inventory?va=Campus&tab=general&new=token")
	assert.Contains(t, page, `<dialog id="new-token-dialog" aria-labelledby="new-token-title" open>`)
	for _, field := range []string{`id="token-description"`, `id="token-days"`, `id="token-uses"`, `id="token-export"`} {
		assert.Contains(t, page, field)
	}
	_, page = r.post("/tokens/create", url.Values{"csrf": {csrf}, "va": {"Campus"}, "days": {"30"}, "uses": {"2"}, "description": {"mine"}})
	assert.Regexp(t, `<td>0 of 2</td><td>Not Allowed</td><td>mine</td><td class="created-by">jdoe</td>`, page)
	assert.Contains(t, page, `<td class="created-by">System</td>`, "the lab's own token")
	assert.Contains(t, page, `<details class="actions"><summary>Actions</summary>`)
}
