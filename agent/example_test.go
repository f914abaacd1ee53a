package agent_test

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// Register a switch, answer as CSSM would, and read the dates that
// `show license status` prints. Time is an input: nothing waits.
func Example() {
	boot := time.Date(2022, 8, 22, 18, 0, 0, 0, time.UTC)
	a, err := agent.New(boot, agent.Config{
		UDI:   license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"},
		Usage: []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}},
	})
	if err != nil {
		panic(err)
	}
	out, _ := a.Register(boot.Add(58*time.Minute), "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false)
	fmt.Println(out)

	// CSSM accepts: the certificate starts 5 min 14 s before the answer.
	reg := a.TakeMessages()[0]
	done := time.Date(2022, 8, 22, 18, 58, 3, 0, time.UTC)
	_ = a.Handle(done, license.RegisterReply{ID: reg.RequestID(), SmartAccount: "ACME Corporation",
		VirtualAccount: "Wile E. Coyote", ExportControlled: true, CertStart: done.Add(-314 * time.Second)})

	// 4 s later the agent asks for authorization; CSSM finds the VA short.
	_ = a.Advance(a.NextDeadline())
	auth := a.TakeMessages()[0].(license.Authorize)
	answered := time.Date(2022, 8, 22, 18, 58, 17, 0, time.UTC)
	_ = a.Handle(answered, license.AuthorizeReply{ID: auth.ID, Time: answered.Add(-301 * time.Second),
		Entitlements: []license.Entitlement{{Tag: auth.Usage[0].Tag, Count: 1, InCompliance: false}}})

	s := a.Status()
	const layout = "Jan 02 15:04:05 2006 MST"
	fmt.Println("Status:", s.Registration)
	fmt.Println("Next Renewal Attempt:", s.NextRenewalAttempt.Format(layout))
	fmt.Println("Registration Expires:", s.RegistrationExpires.Format(layout))
	fmt.Println("Status:", s.Authorization, "on", s.AuthorizationSince.Format(layout))
	fmt.Println("Next Communication Attempt:", s.NextCommunicationAttempt.Format(layout))
	fmt.Println("Communication Deadline:", s.CommunicationDeadline.Format(layout))
	for _, l := range a.TakeLogs() {
		fmt.Println(l.Message())
	}
	// Output:
	// Registration process is in progress. Use the 'show license status' command to check the progress and result
	// Status: REGISTERED
	// Next Renewal Attempt: Feb 18 18:58:03 2023 UTC
	// Registration Expires: Aug 22 18:52:49 2023 UTC
	// Status: OUT OF COMPLIANCE on Aug 22 18:58:17 2022 UTC
	// Next Communication Attempt: Aug 23 06:58:17 2022 UTC
	// Communication Deadline: Nov 20 18:53:16 2022 UTC
	// %SMART_LIC-5-EVAL_START: Entering evaluation period
	// %SMART_LIC-6-EXPORT_CONTROLLED: Usage of export controlled features is allowed
	// %SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite for udi PID:C9300-24P,SN:FOC2133Z0AB
	// %SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.
}

// Eval remaining prints without singular forms.
func ExampleFormatRemaining() {
	fmt.Println(agent.FormatRemaining(71*agent.Day + 22*time.Hour + time.Minute + 59*time.Second))
	// Output: 71 days, 22 hours, 1 minutes, 59 seconds
}
