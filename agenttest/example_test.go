package agenttest_test

import (
	"fmt"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/agenttest"
)

// An agent and a CSSM in one call; a registration; a path to CSSM down for
// a hundred days. Each step returns what happened since the last.
func Example() {
	env, _ := agenttest.New(agenttest.Config{Seed: 1})
	_, r, _ := env.Command("register")
	fmt.Print(r)
	r, _ = env.Advance(agent.Day)
	fmt.Println(r.Registration, "/", r.Authorization)

	env.SetReachable(false)
	r, _ = env.Advance(100 * agent.Day)
	fmt.Println(r.Registration, "/", r.Authorization, "after", len(r.Sent), "failed requests")

	env.SetReachable(true)
	r, _ = env.Advance(agent.Day)
	fmt.Println(r.Registration, "/", r.Authorization)
	// Output:
	// 2024-03-04 10:00:00  %SMART_LIC-5-EVAL_START: Entering evaluation period
	// 2024-03-04 10:00:00  register #1 -> registered in ACME Corporation/DEFAULT
	// 2024-03-04 10:00:00  %SMART_LIC-6-EXPORT_CONTROLLED: Usage of export controlled features is allowed
	// 2024-03-04 10:00:00  %SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite for udi PID:C9300-24P,SN:FOC2133Z0AB
	// state: REGISTERED / EVAL MODE
	// REGISTERED / AUTHORIZED
	// REGISTERED / AUTHORIZATION EXPIRED after 1710 failed requests
	// REGISTERED / AUTHORIZED
}
