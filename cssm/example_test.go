package cssm_test

import (
	"fmt"
	"os"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// A smart account with a virtual account one license short: the third
// switch to ask is answered OUT OF COMPLIANCE and CSSM raises an alert.
func Example() {
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	c, _ := cssm.New(now, cssm.Config{Catalog: stackwise.Catalog(), Seed: 1})
	_ = c.CreateSmartAccount(now, "ACME Corporation", "acme.com")
	_ = c.CreateVirtualAccount(now, "ACME Corporation", "Campus", "")
	_, _ = c.AddLicenses(now, "ACME Corporation", "Campus", "C9300-24 Network Advantage", 2, time.Time{}, time.Time{})
	tok, _ := c.CreateToken(now, "ACME Corporation", "Campus", cssm.TokenOptions{Description: "access", ExpiresAfterDays: 30})

	for i, sn := range []string{"FOC1", "FOC2", "FOC3"} {
		u := license.UDI{PID: "C9300-24P", SN: sn}
		reg, _ := c.Handle(now, license.Register{ID: uint64(2*i + 1), UDI: u, Hostname: "sw-" + sn, Token: tok.Value})
		fmt.Printf("%s registered in %s, certificate from %s\n", sn, reg.(license.RegisterReply).VirtualAccount, reg.(license.RegisterReply).CertStart.Format("15:04:05"))
		ans, _ := c.Handle(now, license.Authorize{ID: uint64(2*i + 2), UDI: u, Usage: []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}}})
		fmt.Printf("%s in compliance: %v\n", sn, ans.(license.AuthorizeReply).AllInCompliance())
	}
	rows, _ := c.Licenses("ACME Corporation", "Campus")
	_ = cssm.WriteLicenses(os.Stdout, rows)
	for _, a := range c.Alerts("ACME Corporation", false) {
		fmt.Println(a.Severity, a.Type+":", a.Message)
	}
	// Output:
	// FOC1 registered in Campus, certificate from 08:55:00
	// FOC1 in compliance: true
	// FOC2 registered in Campus, certificate from 08:55:00
	// FOC2 in compliance: true
	// FOC3 registered in Campus, certificate from 08:55:00
	// FOC3 in compliance: false
	// License                      Billing  Purchased  In Use  Substitution  Balance  Alerts
	// C9300 24P Network Advantage  Prepaid          2       3             0       -1  Insufficient Licenses
	// Major Insufficient Licenses: The virtual account Campus needs 1 more C9300 24P Network Advantage license(s)
}
