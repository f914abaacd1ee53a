package restconf_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/restconf"
	"github.com/slsim/slsim/scenario"
)

// rig is a lab switch with RESTCONF configured, behind a TLS test server
// on loopback, and a net/http client that skips verification as RESTCONF
// clients do.
type rig struct {
	t   *testing.T
	lab *scenario.Lab
	mu  sync.Mutex
	srv *httptest.Server
	h   *restconf.Handler
}

func newRig(t *testing.T, enable bool) *rig {
	t.Helper()
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	r := &rig{t: t, lab: l}
	require.NoError(t, l.World.Configure(l.Device, "restconf", func(c *device.Config) error {
		c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco"}, device.User{Name: "guest", Privilege: 1, Secret: "guest"})
		c.HTTPSecureServer, c.RESTCONF = enable, enable
		return nil
	}))
	r.h = &restconf.Handler{Device: restconf.WorldDevice(l.World, l.Device, func(f func()) { r.mu.Lock(); defer r.mu.Unlock(); f() }), AuthDelay: -1}
	r.srv = httptest.NewTLSServer(r.h)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) do(method, path, user, body string, hdr ...string) (int, http.Header, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	require.NoError(r.t, err)
	if user != "" {
		name, pw, _ := strings.Cut(user, ":")
		req.SetBasicAuth(name, pw)
	}
	req.Header.Set("Accept", restconf.MediaType)
	req.Header.Set("Content-Type", restconf.MediaType)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := r.srv.Client().Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	return resp.StatusCode, resp.Header, data
}

// get reads a JSON answer of a GET as admin.
func (r *rig) get(path string) map[string]any {
	r.t.Helper()
	code, _, data := r.do("GET", path, "admin:cisco", "")
	require.Equal(r.t, http.StatusOK, code, string(data))
	var m map[string]any
	require.NoError(r.t, json.Unmarshal(data, &m), string(data))
	return m
}

func (r *rig) rpc(path, body string) string {
	r.t.Helper()
	code, _, data := r.do("POST", path, "admin:cisco", body)
	require.Equal(r.t, http.StatusOK, code, string(data))
	var m struct {
		Out struct {
			Code string `json:"return-code"`
		} `json:"cisco-smart-license:output"`
	}
	require.NoError(r.t, json.Unmarshal(data, &m), string(data))
	return m.Out.Code
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NoError(r.t, r.lab.World.RunFor(d))
}

func (r *rig) view() ios.View {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := ios.ViewOf(r.lab.World, r.lab.Device)
	require.NoError(r.t, err)
	return v
}

// errorTag reads the RFC 8040 error body.
func errorTag(t *testing.T, key string, data []byte) string {
	t.Helper()
	var m map[string]struct {
		Error []struct {
			Type    string `json:"error-type"`
			Tag     string `json:"error-tag"`
			Message string `json:"error-message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(data, &m), string(data))
	require.Contains(t, m, key, string(data))
	require.Len(t, m[key].Error, 1)
	assert.NotEmpty(t, m[key].Error[0].Message)
	return m[key].Error[0].Tag
}

const (
	state    = "/restconf/data/cisco-smart-license:licensing/state"
	regState = state + "/state-info/registration/registration-state"
	register = "/restconf/data/cisco-smart-license:register-id-token"
)

func TestNothingAnswersUntilConfigured(t *testing.T) {
	r := newRig(t, false)
	code, _, _ := r.do("GET", state, "admin:cisco", "")
	assert.Equal(t, http.StatusNotFound, code, "no restconf, no ip http secure-server")
	code, _, _ = r.do("GET", "/.well-known/host-meta", "admin:cisco", "")
	assert.Equal(t, http.StatusNotFound, code)

	require.NoError(t, r.lab.World.Configure(r.lab.Device, "restconf", func(c *device.Config) error { c.RESTCONF = true; return nil }))
	code, _, _ = r.do("GET", state, "admin:cisco", "")
	assert.Equal(t, http.StatusNotFound, code, "restconf without the secure server")
	require.NoError(t, r.lab.World.Configure(r.lab.Device, "ip http secure-server", func(c *device.Config) error { c.HTTPSecureServer = true; return nil }))
	code, _, _ = r.do("GET", state, "admin:cisco", "")
	assert.Equal(t, http.StatusOK, code)
}

func TestAuthentication(t *testing.T) {
	r := newRig(t, true)
	for _, user := range []string{"", "admin:wrong", "nobody:cisco", "guest:guest"} {
		code, hdr, data := r.do("GET", state, user, "")
		assert.Equal(t, http.StatusUnauthorized, code, user)
		assert.Equal(t, `Basic realm="restconf"`, hdr.Get("WWW-Authenticate"))
		assert.Equal(t, "access-denied", errorTag(t, restconf.DefaultErrorsKey, data))
	}
	// A refused RPC changes nothing.
	code, _, _ := r.do("POST", register, "guest:guest", `{"cisco-smart-license:register-id-token":{"id-token":"`+r.lab.Token+`"}}`)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, agent.RegUnregistered, r.view().Status.Registration)
}

func TestAuthDelaySlowsRefusals(t *testing.T) {
	r := newRig(t, true)
	r.h.AuthDelay = 150 * time.Millisecond
	start := time.Now()
	code, _, _ := r.do("GET", state, "admin:wrong", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}

func TestHostMetaAndRoot(t *testing.T) {
	r := newRig(t, true)
	code, hdr, data := r.do("GET", "/.well-known/host-meta", "admin:cisco", "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "application/xrd+xml", hdr.Get("Content-Type"))
	assert.Contains(t, string(data), "<Link rel='restconf' href='/restconf'/>")
	root := r.get("/restconf")
	assert.Contains(t, root, "ietf-restconf:restconf")
}

func TestNativeVersion(t *testing.T) {
	r := newRig(t, true)
	for _, p := range []string{"/restconf/data/native/version", "/restconf/data/Cisco-IOS-XE-native:native/version"} {
		assert.Equal(t, map[string]any{"Cisco-IOS-XE-native:version": "17.3"}, r.get(p), p)
	}
}

func TestEvalState(t *testing.T) {
	r := newRig(t, true)
	r.advance(time.Hour)
	v := r.view()
	st := r.get(state)["cisco-smart-license:state"].(map[string]any)
	assert.Equal(t, true, st["smart-enabled"])
	assert.Equal(t, ios.AgentVersion, st["version"])
	info := st["state-info"].(map[string]any)
	assert.Equal(t, map[string]any{"registration-state": "reg-state-not-registered", "export-control-allowed": false}, info["registration"])
	auth := info["authorization"].(map[string]any)
	assert.Equal(t, "auth-state-eval", auth["authorization-state"])
	left := strconv.FormatInt(int64(v.Status.EvalRemaining/time.Second), 10)
	assert.Equal(t, map[string]any{"seconds-left": left}, auth["authorization-eval"], "uint64 is a JSON string")
	eval := info["evaluation"].(map[string]any)
	assert.Equal(t, true, eval["eval-in-use"])
	assert.Equal(t, float64(v.Status.EvalRemaining/time.Second), eval["eval-period-left"].(map[string]any)["time-left"], "uint32 is a number")
	udi := info["udi"].(map[string]any)
	assert.Equal(t, v.Status.UDI.PID, udi["pid"])
	assert.Equal(t, v.Status.UDI.SN, udi["sn"])
	usage := info["usage"].([]any)
	require.Len(t, usage, len(v.Status.Entitlements))
	for i, u := range usage {
		e := u.(map[string]any)
		assert.Equal(t, "enforcement-evaluation", e["enforcement-mode"])
		assert.NotContains(t, e, "license-name", "filled only after registration")
		assert.Equal(t, float64(v.Status.Entitlements[i].Count), e["count"])
		assert.True(t, strings.HasPrefix(e["entitlement-tag"].(string), "regid."), e["entitlement-tag"])
	}
	first := usage[0].(map[string]any)
	assert.Equal(t, "advantagek9", first["short-name"])
}

func TestRegisterFlow(t *testing.T) {
	r := newRig(t, true)
	body := `{"cisco-smart-license:register-id-token":{"id-token":"` + r.lab.Token + `"}}`
	assert.Equal(t, "registrationinprogress", r.rpc(register, body))
	assert.Equal(t, map[string]any{"cisco-smart-license:registration-state": "reg-state-in-progress"}, r.get(regState))
	r.advance(time.Minute)
	assert.Equal(t, map[string]any{"cisco-smart-license:registration-state": "reg-state-complete"}, r.get(regState))

	v := r.view()
	s := v.Status
	info := r.get(state)["cisco-smart-license:state"].(map[string]any)["state-info"].(map[string]any)
	reg := info["registration"].(map[string]any)
	assert.Equal(t, true, reg["export-control-allowed"])
	done := reg["registration-complete"].(map[string]any)
	at := func(tm time.Time) string { return restconf.DateAndTime(tm, v.Clock) }
	assert.Equal(t, at(s.InitialRegistration.At), done["complete-time"])
	assert.Equal(t, at(s.NextRenewalAttempt), done["next-renew-time"])
	assert.Equal(t, at(s.RegistrationExpires), done["expire-time"])
	assert.Equal(t, s.SmartAccount, done["smart-account"])
	assert.Equal(t, "Campus", done["virtual-account"])
	auth := info["authorization"].(map[string]any)
	assert.Equal(t, "auth-state-authorized", auth["authorization-state"])
	ok := auth["authorization-authorized"].(map[string]any)
	assert.Equal(t, true, ok["last-comm-status-success"])
	assert.Equal(t, at(s.LastCommunication.At), ok["last-comm-time"])
	assert.Equal(t, at(s.NextCommunicationAttempt), ok["next-comm-time"])
	assert.Equal(t, at(s.CommunicationDeadline), ok["comm-deadline-time"])
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$`, ok["comm-deadline-time"])
	for i, u := range info["usage"].([]any) {
		e := u.(map[string]any)
		assert.Equal(t, "enforcement-in-compliance", e["enforcement-mode"])
		assert.Equal(t, s.Entitlements[i].Name, e["license-name"])
		assert.Equal(t, s.Entitlements[i].Description, e["description"])
	}

	// One usage entry by its key, percent-encoded as RFC 8040 asks.
	tag := info["usage"].([]any)[0].(map[string]any)["entitlement-tag"].(string)
	one := r.get(state + "/state-info/usage=" + strings.ReplaceAll(tag, ",", "%2C"))
	require.Len(t, one["cisco-smart-license:usage"], 1)

	assert.Equal(t, "alreadyregistered", r.rpc(register, body), "registered, no force")
	assert.Equal(t, "registrationinprogress",
		r.rpc("/restconf/operations/cisco-smart-license:register-id-token", `{"cisco-smart-license:input":{"id-token":"`+r.lab.Token+`","force":true}}`), "RFC form, forced")
	r.advance(time.Minute)
	assert.Equal(t, "success", r.rpc("/restconf/data/cisco-smart-license:renew-auth", ""))
	assert.Equal(t, "success", r.rpc("/restconf/operations/cisco-smart-license:renew-id", "{}"))
	assert.Equal(t, "success", r.rpc("/restconf/data/cisco-smart-license:de-register", ""))
	assert.Equal(t, agent.RegUnregistered, r.view().Status.Registration)
	assert.Equal(t, map[string]any{"cisco-smart-license:registration-state": "reg-state-not-registered"}, r.get(regState))
	assert.Equal(t, "notregistered", r.rpc("/restconf/data/cisco-smart-license:renew-auth", ""))
}

func TestBadTokens(t *testing.T) {
	r := newRig(t, true)
	assert.Equal(t, "BadInputParams", r.rpc(register, `{"cisco-smart-license:register-id-token":{"id-token":""}}`))
	assert.Equal(t, "BadInputParams", r.rpc(register, `{"cisco-smart-license:register-id-token":{"id-token":"not a token"}}`))
	assert.Equal(t, agent.RegUnregistered, r.view().Status.Registration)
}

func TestErrors(t *testing.T) {
	r := newRig(t, true)
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		tag, allow               string
	}{
		{"unknown module", "GET", "/restconf/data/ietf-interfaces:interfaces", "", nil, 404, "invalid-value", ""},
		{"unknown child", "GET", state + "/nothing", "", nil, 404, "invalid-value", ""},
		{"absent container", "GET", state + "/state-info/registration/registration-complete", "", nil, 404, "invalid-value", ""},
		{"unknown usage key", "GET", state + "/state-info/usage=regid.none", "", nil, 404, "invalid-value", ""},
		{"unknown path", "GET", "/nothing", "", nil, 404, "invalid-value", ""},
		{"query parameter", "GET", state + "?depth=2", "", nil, 400, "invalid-value", ""},
		{"XML only", "GET", state, "", []string{"Accept", "application/yang-data+xml"}, 406, "invalid-value", ""},
		{"write to state", "PUT", state, "{}", nil, 405, "operation-not-supported", "GET, HEAD"},
		{"GET an RPC", "GET", register, "", nil, 405, "operation-not-supported", "POST"},
		{"POST to the tree", "POST", "/restconf/data/cisco-smart-license:licensing", "{}", nil, 405, "operation-not-supported", "GET, HEAD"},
		{"DELETE the root", "DELETE", "/restconf", "", nil, 405, "operation-not-supported", "GET, HEAD"},
		{"POST host-meta", "POST", "/.well-known/host-meta", "", nil, 405, "operation-not-supported", "GET, HEAD"},
		{"malformed body", "POST", register, "{", nil, 400, "malformed-message", ""},
		{"wrong wrapper", "POST", register, `{"cisco-smart-license:input":{"id-token":"x"}}`, nil, 400, "invalid-value", ""},
		{"unknown input", "POST", register, `{"cisco-smart-license:register-id-token":{"id-token":"x","when":1}}`, nil, 400, "unknown-element", ""},
		{"force not boolean", "POST", register, `{"cisco-smart-license:register-id-token":{"id-token":"x","force":"yes"}}`, nil, 400, "invalid-value", ""},
		{"input to de-register", "POST", "/restconf/data/cisco-smart-license:de-register", `{"cisco-smart-license:de-register":{"force":true}}`, nil, 400, "unknown-element", ""},
		{"unknown RPC", "POST", "/restconf/operations/cisco-smart-license:reboot", "", nil, 404, "invalid-value", ""},
		{"body too large", "POST", register, `{"cisco-smart-license:register-id-token":{"id-token":"` + strings.Repeat("x", restconf.MaxBody) + `"}}`, nil, 413, "too-big", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, hdr, data := r.do(c.method, c.path, "admin:cisco", c.body, c.hdr...)
			assert.Equal(t, c.status, code, string(data))
			assert.Equal(t, restconf.MediaType, hdr.Get("Content-Type"))
			assert.Equal(t, c.tag, errorTag(t, restconf.DefaultErrorsKey, data))
			assert.Equal(t, c.allow, hdr.Get("Allow"))
		})
	}
	assert.Equal(t, agent.RegUnregistered, r.view().Status.Registration, "no refusal registered the switch")

	r.h.ErrorsKey = "errors"
	_, _, data := r.do("GET", state+"/nothing", "admin:cisco", "")
	assert.Equal(t, "invalid-value", errorTag(t, "errors", data), "the unqualified form smart-license-app reads")
}

func TestShortName(t *testing.T) {
	assert.Equal(t, "advantagek9", restconf.ShortName("regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53"))
	assert.Equal(t, "plain", restconf.ShortName("plain"))
}

// The YANG library (RFC 7895) lists the modules a client can use, with
// the Smart Licensing model's revision, as tools read it before they call.
func TestYangLibrary(t *testing.T) {
	r := newRig(t, true)
	got := r.get("/restconf/data/ietf-yang-library:modules-state")["ietf-yang-library:modules-state"].(map[string]any)
	assert.Len(t, got["module-set-id"], 16)
	found := map[string]string{}
	for _, m := range got["module"].([]any) {
		m := m.(map[string]any)
		assert.Equal(t, "implement", m["conformance-type"])
		found[m["name"].(string)] = m["revision"].(string)
	}
	assert.Equal(t, "2017-10-11", found["cisco-smart-license"])
	assert.Contains(t, found, "ietf-yang-library")
	assert.Equal(t, got, r.get("/restconf/data/ietf-yang-library:modules-state")["ietf-yang-library:modules-state"], "the same set each time")
}
