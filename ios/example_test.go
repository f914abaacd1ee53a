package ios_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/license"
)

// The `show license` renderers need only an agent's status: here a
// C9300 that booted a month ago, unregistered, in EVAL MODE.
func ExampleShowLicenseSummary() {
	boot := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := agent.New(boot, agent.Config{
		UDI:   license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"},
		Usage: []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}, {Tag: "C9300-24 DNA Advantage", Count: 1}},
	})
	if err != nil {
		panic(err)
	}
	if err := a.Advance(boot.Add(30 * agent.Day)); err != nil {
		panic(err)
	}
	// (Printed without trailing spaces: on a switch, as here, the line
	// "License Authorization: " ends in one.)
	for _, line := range strings.Split(ios.ShowLicenseSummary(a.Status(), ios.StatusInfo{}), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Smart Licensing is ENABLED
	//
	// Registration:
	//   Status: UNREGISTERED
	//   Export-Controlled Functionality: Not Allowed
	//
	// License Authorization:
	//   Status: EVAL MODE
	//   Evaluation Period Remaining: 60 days, 0 hours, 0 minutes, 0 seconds
	//
	// License Usage:
	//   License                 Entitlement tag               Count Status
	//   -----------------------------------------------------------------------------
	//                           (C9300-24 Network Advan...)       1 EVAL MODE
	//                           (C9300-24 DNA Advantage)          1 EVAL MODE
}
