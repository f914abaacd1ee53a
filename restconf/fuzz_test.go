package restconf_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/restconf"
	"github.com/slsim/slsim/scenario"
)

// FuzzHandler sends arbitrary methods, paths and bodies: the handler never
// panics, and every answer is JSON (or the host-meta XRD, or 204).
func FuzzHandler(f *testing.F) {
	l, err := scenario.NewLab(1)
	if err != nil {
		f.Fatal(err)
	}
	l.World.Configure(l.Device, "restconf", func(c *device.Config) error {
		c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco"})
		c.HTTPSecureServer, c.RESTCONF = true, true
		return nil
	})
	h := &restconf.Handler{Device: restconf.WorldDevice(l.World, l.Device, nil), AuthDelay: -1}
	f.Add("POST", "/restconf/data/cisco-smart-license:register-id-token", `{"cisco-smart-license:register-id-token":{"id-token":"x","force":true}}`)
	f.Add("POST", "/restconf/operations/cisco-smart-license:de-register", `{"cisco-smart-license:input":null}`)
	f.Add("GET", "/restconf/data/cisco-smart-license:licensing/state/state-info/usage=a%2Cb", "")
	f.Add("GET", "/.well-known/host-meta", "")
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#?") || !validMethod(method) {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // not a request a client can send
		}
		req := httptest.NewRequest(method, "https://sw1"+path, strings.NewReader(body))
		req.SetBasicAuth("admin", "cisco")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusNoContent || rec.Header().Get("Content-Type") == "application/xrd+xml" {
			return
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: %d %q is not JSON", method, path, rec.Code, rec.Body.String())
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}
