package cssmapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/cssmapi"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/sim"
)

// rig is the lab's CSSM behind the API on a loopback TLS server: ACME
// (acme.com) with an API client and a user, and another account (Other,
// other.org) the ACME credentials must not reach.
type rig struct {
	t      *testing.T
	lab    *scenario.Lab
	mu     sync.Mutex
	srv    *httptest.Server
	api    *cssmapi.Server
	client cssm.APIClient
	other  cssm.APIClient
	now    time.Time // the real clock the bearer tokens expire on
}

func newRig(t *testing.T) *rig {
	t.Helper()
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	r := &rig{t: t, lab: l, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, now := l.World.CSSM(), l.World.Now()
	require.NoError(t, c.AddUser(now, scenario.Account, "jdoe", "s3cret!"))
	r.client, err = c.CreateAPIClient(now, scenario.Account)
	require.NoError(t, err)
	require.NoError(t, c.CreateSmartAccount(now, "Other", "other.org"))
	r.other, err = c.CreateAPIClient(now, "Other")
	require.NoError(t, err)
	r.api = &cssmapi.Server{Access: r.access, Clock: r.clock, AuthDelay: -1}
	r.srv = httptest.NewTLSServer(r.api)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) access(f func(c *cssm.CSSM, now time.Time) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return f(r.lab.World.CSSM(), r.lab.World.Now())
}

func (r *rig) clock() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }

func (r *rig) world(f func(w *sim.World)) { r.mu.Lock(); defer r.mu.Unlock(); f(r.lab.World) }

// send makes a request and decodes the JSON answer.
func (r *rig) send(method, path, bearer, body string) (int, map[string]any) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	require.NoError(r.t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := r.srv.Client().Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	var m map[string]any
	require.NoError(r.t, json.Unmarshal(data, &m), string(data))
	return resp.StatusCode, m
}

// login gets a bearer token with the client-credentials grant.
func (r *rig) login(cl cssm.APIClient) string {
	r.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cl.ID}, "client_secret": {cl.Secret}}
	resp, err := r.srv.Client().Post(r.srv.URL+cssmapi.TokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(r.t, err)
	defer resp.Body.Close()
	require.Equal(r.t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(r.t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.AccessToken
}

const base = cssmapi.BasePath

func (r *rig) ok(method, path, bearer, body string) map[string]any {
	r.t.Helper()
	code, m := r.send(method, path, bearer, body)
	require.Equal(r.t, http.StatusOK, code, "%v", m)
	require.Equal(r.t, "SUCCESS", m["status"], "%v", m)
	require.Contains(r.t, m, "statusMessage")
	return m
}

func TestTokenEndpoint(t *testing.T) {
	r := newRig(t)
	// The Smart Licensing app: every field in the query string, empty body.
	q := url.Values{"grant_type": {"password"}, "client_id": {r.client.ID}, "client_secret": {r.client.Secret}, "username": {"jdoe"}, "password": {"s3cret!"}}
	resp, err := r.srv.Client().Post(r.srv.URL+cssmapi.TokenPath+"?"+q.Encode(), "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	var tok map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", tok)
	assert.IsType(t, "", tok["access_token"])
	assert.Equal(t, "Bearer", tok["token_type"])
	assert.Equal(t, float64(3600), tok["expires_in"])

	// smartaccounts: the same fields in the body, not percent-encoded.
	body := "client_id=" + r.client.ID + "&client_secret=" + r.client.Secret + "&username=jdoe&password=s3cret!&grant_type=password"
	resp, err = r.srv.Client().Post(r.srv.URL+cssmapi.TokenPath, "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	for name, form := range map[string]url.Values{
		"wrong secret":   {"grant_type": {"client_credentials"}, "client_id": {r.client.ID}, "client_secret": {"x"}},
		"wrong password": {"grant_type": {"password"}, "client_id": {r.client.ID}, "client_secret": {r.client.Secret}, "username": {"jdoe"}, "password": {"x"}},
		"unknown client": {"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"x"}},
	} {
		resp, err := r.srv.Client().PostForm(r.srv.URL+cssmapi.TokenPath, form)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
	resp, err = r.srv.Client().PostForm(r.srv.URL+cssmapi.TokenPath, url.Values{"grant_type": {"implicit"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestBearerTokens(t *testing.T) {
	r := newRig(t)
	code, m := r.send("GET", base+"v2/accounts", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "ERROR", m["status"])
	assert.Equal(t, float64(401), m["code"])
	assert.Equal(t, "ERROR", m["severity"])
	code, _ = r.send("GET", base+"v2/accounts", "made-up", "")
	assert.Equal(t, http.StatusUnauthorized, code)

	tok := r.login(r.client)
	r.ok("GET", base+"v2/accounts", tok, "")
	r.mu.Lock()
	r.now = r.now.Add(time.Hour)
	r.mu.Unlock()
	code, _ = r.send("GET", base+"v2/accounts", tok, "")
	assert.Equal(t, http.StatusUnauthorized, code, "expired after expires_in")
}

func TestAccounts(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	m := r.ok("GET", base+"v2/accounts", tok, "")
	assert.Equal(t, []any{map[string]any{"accountStatus": "Active", "accountDomain": "acme.com", "accountName": scenario.Account,
		"accountType": "CUSTOMER", "roles": []any{map[string]any{"role": "SMART_ACCOUNT_ADMIN"}}}}, m["accounts"], "only the client's account")

	m = r.ok("GET", base+"v1/accounts/search?domain=acme&type=CUSTOMER&limit=1000&offset=0", tok, "")
	assert.Equal(t, float64(1), m["totalRecords"])
	acc := m["accounts"].([]any)[0].(map[string]any)
	assert.Equal(t, "acme.com", acc["domain"])
	assert.Equal(t, scenario.Account, acc["name"])
	assert.IsType(t, float64(0), acc["id"])
	assert.Equal(t, "CUSTOMER", acc["type"])
	assert.Equal(t, "ACTIVE", acc["status"])
	m = r.ok("GET", base+"v1/accounts/search?domain=other", tok, "")
	assert.Equal(t, float64(0), m["totalRecords"], "other.org is not this token's")
	code, _ := r.send("GET", base+"v1/accounts/search?domain=acme&limit=1001", tok, "")
	assert.Equal(t, http.StatusBadRequest, code)

	m = r.ok("GET", base+"v1/accounts/acme.com/customer/virtual-accounts", tok, "")
	assert.ElementsMatch(t, []any{
		map[string]any{"isDefault": "false", "name": "Campus", "description": "Campus switches", "commerceAccessLevel": "FULL"},
		map[string]any{"isDefault": "true", "name": "DEFAULT", "description": "Default virtual account", "commerceAccessLevel": "FULL"},
	}, m["virtualAccounts"])
}

func TestCrossAccountRefusals(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	for _, p := range []string{"v1/accounts/other.org/customer/virtual-accounts", "v1/accounts/Other/alerts", "v1/accounts/other.org/virtual-accounts/DEFAULT/tokens"} {
		code, m := r.send("GET", base+p, tok, "")
		assert.Equal(t, http.StatusForbidden, code, p)
		assert.Equal(t, "ERROR", m["status"])
	}
	code, _ := r.send("POST", base+"v1/accounts/other.org/virtual-accounts/DEFAULT/tokens", tok, `{"description":"x","expiresAfterDays":30}`)
	assert.Equal(t, http.StatusForbidden, code)
	code, _ = r.send("GET", base+"v1/accounts/nowhere.net/customer/virtual-accounts", tok, "")
	assert.Equal(t, http.StatusNotFound, code)
	// And the other way round.
	code, _ = r.send("GET", base+"v1/accounts/acme.com/customer/virtual-accounts", r.login(r.other), "")
	assert.Equal(t, http.StatusForbidden, code)
}

// A token made over the API registers a switch; the switch then shows in
// the API's devices and license usage; the event log names who did what.
func TestTokensRegisterASwitch(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	m := r.ok("GET", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens", tok, "")
	before := len(m["tokens"].([]any))
	m = r.ok("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens", tok,
		`{"description": "SL Token Automation", "expiresAfterDays": 30, "exportControlled": "Not Allowed"}`)
	info := m["tokenInfo"].(map[string]any)
	value := info["token"].(string)
	assert.Equal(t, "SL Token Automation", info["description"])
	assert.Equal(t, "Not Allowed", info["exportControlled"])
	assert.Equal(t, "Active", info["status"])
	assert.Equal(t, "2024-04-03T10:00:00Z", info["expirationDate"])
	m = r.ok("GET", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens", tok, "")
	toks := m["tokens"].([]any)
	require.Len(t, toks, before+1)
	assert.Equal(t, value, toks[0].(map[string]any)["token"], "the newest usable token first")

	r.world(func(w *sim.World) {
		_, err := w.Register(r.lab.Device, value, false)
		require.NoError(t, err)
		require.NoError(t, w.RunFor(time.Minute))
	})
	m = r.ok("GET", base+"v1/accounts/acme.com/virtual-accounts/Campus/devices", tok, "")
	assert.Equal(t, float64(1), m["totalRecords"])
	dev := m["devices"].([]any)[0].(map[string]any)
	assert.Equal(t, "C9300-24P", dev["productId"])
	assert.Equal(t, "FOC2133Z0AB", dev["serialNumber"])
	assert.Equal(t, "Active", dev["status"])

	m = r.ok("POST", base+"v1/accounts/acme.com/licenses", tok, `{"virtualAccounts": ["Campus"], "limit": 100, "offset": 0}`)
	assert.Equal(t, float64(2), m["totalRecords"])
	lics := m["licenses"].([]any)
	na := lics[1].(map[string]any)
	assert.Equal(t, "C9300 24P Network Advantage", na["license"])
	assert.Equal(t, "Campus", na["virtualAccount"])
	assert.Equal(t, float64(10), na["quantity"])
	assert.Equal(t, float64(2), na["inUse"])
	assert.Equal(t, float64(8), na["available"])
	assert.Equal(t, float64(0), na["reserved"])
	assert.Equal(t, float64(0), na["pendingQuantity"])
	assert.Equal(t, "In Compliance", na["status"])
	assert.Equal(t, "PREPAID", na["billingType"])
	assert.Equal(t, false, na["isPortable"])
	assert.Equal(t, false, na["ahaApps"])
	assert.Equal(t, []any{}, na["licenseSubstitutions"])
	assert.Equal(t, []any{map[string]any{"licenseType": "PERPETUAL", "quantity": float64(10), "startDate": "2024-03-04", "endDate": "",
		"subscriptionId": "", "status": "ACTIVE"}}, na["licenseDetails"])
	dna := lics[0].(map[string]any)
	assert.Equal(t, "TERM", dna["licenseDetails"].([]any)[0].(map[string]any)["licenseType"])

	// Paging: one row a page, totalRecords the full count.
	m = r.ok("POST", base+"v1/accounts/acme.com/licenses", tok, `{"virtualAccounts": ["Campus"], "limit": 1, "offset": 1}`)
	assert.Equal(t, float64(2), m["totalRecords"])
	assert.Equal(t, "C9300 24P Network Advantage", m["licenses"].([]any)[0].(map[string]any)["license"])
	m = r.ok("POST", base+"v1/accounts/acme.com/licenses", tok, `{"virtualAccounts": ["Campus"], "limit": 1, "offset": 5}`)
	assert.Equal(t, []any{}, m["licenses"])

	m = r.ok("GET", base+"v1/accounts/acme.com/events", tok, "")
	evs := m["events"].([]any)
	assert.Contains(t, evs[0].(map[string]any)["message"], "was registered")
	assert.Equal(t, "System", evs[0].(map[string]any)["user"])
	assert.Equal(t, "api:"+r.client.ID, evs[1].(map[string]any)["user"], "the token made over the API")
}

func TestOperatorActions(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	r.world(func(w *sim.World) {
		_, err := w.Register(r.lab.Device, r.lab.Token, false)
		require.NoError(t, err)
		require.NoError(t, w.RunFor(time.Minute))
		require.NoError(t, w.CSSM().CreateVirtualAccount(w.Now(), scenario.Account, "Lab", "lab switches"))
		// Out of compliance: most DNA licenses go; the Lab VA holds some.
		require.NoError(t, w.CSSM().RemoveLicenses(w.Now(), scenario.Account, scenario.VA, "C9300-24 DNA Advantage", 9))
		_, err = w.CSSM().AddLicenses(w.Now(), scenario.Account, "Lab", "C9300-24 DNA Advantage", 9, w.Now(), w.Now().AddDate(1, 0, 0))
		require.NoError(t, err)
	})
	code, m := r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/licenses/transfer", tok,
		`{"license": "C9300 24P DNA Advantage", "quantity": 1, "targetVirtualAccount": "Lab"}`)
	assert.Equal(t, http.StatusBadRequest, code, "the one left is in use: %v", m)
	m = r.ok("GET", base+"v1/accounts/acme.com/alerts", tok, "")
	alerts := m["alerts"].([]any)
	require.Len(t, alerts, 1)
	assert.Equal(t, "Insufficient Licenses", alerts[0].(map[string]any)["type"])
	// Transfer licenses in: the alert clears.
	r.ok("POST", base+"v1/accounts/acme.com/virtual-accounts/Lab/licenses/transfer", tok,
		`{"license": "C9300-24 DNA Advantage", "quantity": 9, "targetVirtualAccount": "Campus"}`)
	m = r.ok("GET", base+"v1/accounts/acme.com/alerts", tok, "")
	assert.Empty(t, m["alerts"])

	// Move the instance, then remove it.
	dev := `{"udiPid": "C9300-24P", "udiSerialNumber": "FOC2133Z0AB", "targetVirtualAccount": "Lab"}`
	r.ok("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/devices/transfer", tok, dev)
	code, _ = r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/devices/remove", tok, dev)
	assert.Equal(t, http.StatusNotFound, code, "no longer in Campus")
	r.ok("POST", base+"v1/accounts/acme.com/virtual-accounts/Lab/devices/remove", tok, `{"udiPid": "C9300-24P", "udiSerialNumber": "FOC2133Z0AB"}`)
	m = r.ok("GET", base+"v1/accounts/acme.com/virtual-accounts/Lab/devices", tok, "")
	assert.Equal(t, float64(0), m["totalRecords"])

	// Revoke the lab's token.
	r.ok("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens/revoke", tok, `{"token": "`+r.lab.Token+`"}`)
	m = r.ok("GET", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens", tok, "")
	assert.Equal(t, "Revoked", m["tokens"].([]any)[0].(map[string]any)["status"])
	code, _ = r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens/revoke", tok, `{"token": "nope"}`)
	assert.Equal(t, http.StatusNotFound, code)
}

func TestBadInputChangesNothing(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	before := r.ok("GET", base+"v1/accounts/acme.com/events", tok, "")
	for _, c := range []struct{ method, path, body string }{
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{"description": "x", "expiresAfterDays": 0}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{"description": "x", "expiresAfterDays": "soon"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{"description": "x", "exportControlled": "maybe"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{"description": "x", "colour": "red"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Nowhere/tokens", `{"description": "x"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{`},
		{"POST", "v1/accounts/acme.com/licenses", `{"limit": 0}`},
		{"POST", "v1/accounts/acme.com/licenses", `{"virtualAccounts": ["Nowhere"]}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/licenses/transfer", `{"license": "C9300 24P DNA Advantage", "quantity": -1, "targetVirtualAccount": "DEFAULT"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/licenses/transfer", `{"license": "No Such License", "quantity": 1, "targetVirtualAccount": "DEFAULT"}`},
		{"POST", "v1/accounts/acme.com/virtual-accounts/Campus/devices/remove", `{"udiPid": "", "udiSerialNumber": ""}`},
		{"GET", "v1/accounts/acme.com/licenses", ""},
		{"GET", "v1/accounts/acme.com/nothing", ""},
	} {
		code, m := r.send(c.method, base+c.path, tok, c.body)
		assert.Contains(t, []int{400, 404, 405}, code, "%s %s %s: %v", c.method, c.path, c.body, m)
		assert.Equal(t, "ERROR", m["status"])
		assert.NotEmpty(t, m["message"])
	}
	big := `{"description": "` + strings.Repeat("x", cssmapi.MaxBody) + `"}`
	code, _ := r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/tokens", tok, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	after := r.ok("GET", base+"v1/accounts/acme.com/events", tok, "")
	assert.Equal(t, before, after, "no refusal was logged as done")
}

func TestReservationAndConversion(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	code, m := r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/reserve-licenses", tok,
		`{"reservationRequests": [{"reservationCode": "CB-ZC9300-24P:FOC2133Z0AB-AKZ", "reservationType": "SPECIFIC",
		  "licenses": [{"entitlementTag": "regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53", "quantity": "1", "precedence": "LONGEST_TERM_FIRST"}]}]}`)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ERROR", m["status"])
	assert.Contains(t, m["statusMessage"], "Specific License Reservation is not enabled")
	code, _ = r.send("POST", base+"v1/accounts/acme.com/virtual-accounts/Campus/reserve-licenses", tok,
		`{"reservationRequests": [{"reservationCode": "x", "reservationType": "SPECIFIC", "licenses": [{"entitlementTag": "t", "quantity": 1}]}]}`)
	assert.Equal(t, http.StatusBadRequest, code, "quantity must be a string")

	m = r.ok("POST", base+"v1/accounts/acme.com/dlc_convert", tok, `{"virtualAccounts": [{"name": "Campus", "dlcRequests": [{"sudi": {"udiPid": "C9300-24P", "udiSerialNumber": "FOC2133Z0AB"},
		"softwareTagIdentifier": "regid.x", "conversionLines": [{"conversionType": "PAK", "conversionEncodingType": "base64", "conversionString": "abc", "conversionCount": 1}]}]}]}`)
	dev := m["devices"].([]any)[0].(map[string]any)
	assert.Equal(t, "CONVERT_FAILED", dev["conversionStatus"])
	assert.Equal(t, "dlc_convert_failed", "dlc_"+strings.ToLower(dev["conversionStatus"].(string)), "what the app compares")
	assert.Equal(t, "C9300-24P", dev["sudi"].(map[string]any)["udiPid"])

	// A 3850's Right-to-Use licenses, as `show license data conversion` gives them.
	convert := func(sn string, count int) map[string]any {
		t.Helper()
		body := fmt.Sprintf(`{"virtualAccounts": [{"name": "Campus", "dlcRequests": [{"sudi": {"udiPid": "WS-C3850-24P", "udiSerialNumber": %q},
		"softwareTagIdentifier": "regid.2017-05.com.cisco.C3850_24_IP_Services", "conversionLines": [{"conversionType": "RTU",
		"conversionEncodingType": "plain", "conversionString": "C3850-24 IP Services", "conversionCount": %d}]}]}]}`, sn, count)
		return r.ok("POST", base+"v1/accounts/acme.com/dlc_convert", tok, body)["devices"].([]any)[0].(map[string]any)
	}
	// CSSM converts only for a registered product instance, what it reported.
	dev = convert("FOC1920X0AA", 2)
	assert.Equal(t, "CONVERT_FAILED", dev["conversionStatus"])
	assert.Contains(t, dev["statusMessage"], "not a registered product instance")
	r.world(func(w *sim.World) {
		c, now := w.CSSM(), w.Now()
		udi := license.UDI{PID: "WS-C3850-24P", SN: "FOC1920X0AA"}
		ans, err := c.Handle(now, license.Register{ID: 1, UDI: udi, Hostname: "c3850", Token: r.lab.Token})
		require.NoError(t, err)
		require.IsType(t, license.RegisterReply{}, ans)
		_, err = c.Handle(now, license.Authorize{ID: 2, UDI: udi, Usage: []license.Usage{{Tag: "C3850-24 IP Services", Count: 2}}})
		require.NoError(t, err)
	})
	dev = convert("FOC1920X0AA", 500)
	assert.Equal(t, "CONVERT_FAILED", dev["conversionStatus"], "more than the device reported")
	assert.Contains(t, dev["statusMessage"], "reported 2 C3850-24 IP Services, not 500")
	held := func() float64 {
		m := r.ok("POST", base+"v1/accounts/acme.com/licenses", tok, `{"virtualAccounts": ["Campus"]}`)
		for _, row := range m["licenses"].([]any) {
			if l := row.(map[string]any); l["license"] == "C3850 24P IP Services" {
				return l["quantity"].(float64)
			}
		}
		return 0
	}
	assert.Zero(t, held(), "refusals minted nothing")
	assert.Equal(t, "CONVERT_SUCCESS", convert("FOC1920X0AA", 2)["conversionStatus"])
	assert.Equal(t, float64(2), held(), "what the device reported, converted")
	m = r.ok("POST", base+"v1/accounts/acme.com/licenses", tok, `{"virtualAccounts": ["Campus"]}`)
	assert.Contains(t, fmt.Sprint(m["licenses"]), "license:C3850 24P IP Services")
	again := convert("FOC1920X0AA", 2)
	assert.Equal(t, "CONVERT_FAILED", again["conversionStatus"], "converted once")
	assert.Contains(t, again["statusMessage"], "already converted")
}

// Paths no endpoint has and methods an endpoint does not take are answered
// in the API's JSON error shape: 404, and 405 with the Allow header.
func TestUnroutedRequestsAnswerJSON(t *testing.T) {
	r := newRig(t)
	tok := r.login(r.client)
	for _, c := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{"GET", base + "v1/accounts/acme.com/nothing", http.StatusNotFound, ""},
		{"GET", base + "v9/whatever", http.StatusNotFound, ""},
		{"GET", "/services/api/elsewhere", http.StatusNotFound, ""},
		{"GET", base + "v1/accounts/acme.com/licenses", http.StatusMethodNotAllowed, "POST"},
		{"DELETE", base + "v1/accounts/acme.com/virtual-accounts/Campus/tokens", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"GET", cssmapi.TokenPath, http.StatusMethodNotAllowed, "POST"},
	} {
		req, err := http.NewRequest(c.method, r.srv.URL+c.path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := r.srv.Client().Do(req)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m), "%s %s: a JSON body", c.method, c.path)
		resp.Body.Close()
		assert.Equal(t, c.code, resp.StatusCode, "%s %s", c.method, c.path)
		assert.Equal(t, "ERROR", m["status"])
		assert.Equal(t, float64(c.code), m["code"])
		assert.Equal(t, c.allow, resp.Header.Get("Allow"), "%s %s", c.method, c.path)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	}
}

// golang.org/x/oauth2's client-credentials flow with the credentials in an
// HTTP Basic header (RFC 6749 §2.3.1, which the server must take) gets a
// token the API accepts; a wrong secret that way is refused with a Basic
// challenge, and a client may not authenticate both ways at once.
func TestClientCredentialsInHeader(t *testing.T) {
	r := newRig(t)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, r.srv.Client())
	cfg := clientcredentials.Config{ClientID: r.client.ID, ClientSecret: r.client.Secret,
		TokenURL: r.srv.URL + cssmapi.TokenPath, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cfg.Token(ctx)
	require.NoError(t, err)
	m := r.ok("GET", base+"v2/accounts", tok.AccessToken, "")
	assert.NotEmpty(t, m["accounts"])

	cfg.ClientSecret = "wrong"
	_, err = cfg.Token(ctx)
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusUnauthorized, re.Response.StatusCode)
	assert.Equal(t, `Basic realm="cssm"`, re.Response.Header.Get("WWW-Authenticate"))

	req, err := http.NewRequest("POST", r.srv.URL+cssmapi.TokenPath, strings.NewReader("grant_type=client_credentials&client_secret="+r.client.Secret))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(r.client.ID, r.client.Secret)
	resp, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "both ways at once")

	// A request without a token, or with a bad one, is challenged.
	resp, err = r.srv.Client().Get(r.srv.URL + base + "v2/accounts")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `Bearer realm="cssm"`, resp.Header.Get("WWW-Authenticate"))
	code, _ := r.send("GET", base+"v2/accounts", "nope", "")
	assert.Equal(t, http.StatusUnauthorized, code)
}
