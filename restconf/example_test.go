package restconf_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/restconf"
	"github.com/slsim/slsim/scenario"
)

// A lab switch with RESTCONF enabled answers the register flow of
// Cisco's Smart Licensing app: register-id-token, then the registration
// state, polled.
func ExampleHandler() {
	l, _ := scenario.NewLab(1)
	l.World.Configure(l.Device, "restconf", func(c *device.Config) error {
		c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco"})
		c.HTTPSecureServer, c.RESTCONF = true, true
		return nil
	})
	srv := httptest.NewTLSServer(&restconf.Handler{Device: restconf.WorldDevice(l.World, l.Device, nil)})
	defer srv.Close()
	call := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth("admin", "cisco")
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.StatusCode, " ", string(out))
	}
	call("POST", "/restconf/data/cisco-smart-license:register-id-token",
		`{"cisco-smart-license:register-id-token": {"id-token": "`+l.Token+`"}}`)
	l.World.RunFor(time.Minute)
	call("GET", "/restconf/data/cisco-smart-license:licensing/state/state-info/registration/registration-state", "")
	// Output:
	// 200 {
	//   "cisco-smart-license:output": {
	//     "return-code": "registrationinprogress"
	//   }
	// }
	// 200 {
	//   "cisco-smart-license:registration-state": "reg-state-complete"
	// }
}
