package stackwise_test

import (
	"fmt"
	"strings"

	sw "github.com/slsim/slsim/stackwise"
)

// Count an estate against its pool: which entitlements, how many, and what
// is short. The C9500-32QC pair on 16.11.1 asks for its model-specific
// network tag, which the generic C9500 pool serves (the license hierarchy).
func Example() {
	estate, pool, err := sw.Parse(strings.NewReader(`
device access-1 version 17.3.1 level network-advantage addon dna-advantage
  switch C9300-24P x2
  switch C9300-48P
device core-1 version 16.11.1 level network-advantage addon dna-advantage
  switch C9500-32QC x2
device dist-1 version 17.3.1 level network-advantage addon dna-advantage
  chassis C9407R sup C9400-SUP-1 sup C9400-SUP-1
pool
  2 C9300-24 Network Advantage
  2 C9300-24 DNA Advantage
  1 C9300-48 Network Advantage
  2 C9500 Network Advantage
  2 C9500-32QC DNA Advantage
  2 advantagek9-C9400
  1 dna_advantage-C9400
`))
	if err != nil {
		panic(err)
	}
	for _, r := range sw.Check(estate.Demand(), pool).Rows {
		fmt.Printf("%-30s demand %d supply %d from parent %d short %d\n", r.Tag, r.Demand, r.Supply, r.FromParent, r.Shortfall)
	}
	// Output:
	// C9300-24 DNA Advantage         demand 2 supply 2 from parent 0 short 0
	// C9300-24 Network Advantage     demand 2 supply 2 from parent 0 short 0
	// C9300-48 DNA Advantage         demand 1 supply 0 from parent 0 short 1
	// C9300-48 Network Advantage     demand 1 supply 1 from parent 0 short 0
	// C9500 Network Advantage        demand 0 supply 2 from parent 0 short 0
	// C9500-32QC DNA Advantage       demand 2 supply 2 from parent 0 short 0
	// C9500-32QC Network Advantage   demand 2 supply 0 from parent 2 short 0
	// advantagek9-C9400              demand 2 supply 2 from parent 0 short 0
	// dna_advantage-C9400            demand 1 supply 1 from parent 0 short 0
}

// What one device requests.
func ExampleDevice_Requests() {
	pair := sw.Device{
		Name:     "core-1",
		Switches: []sw.Unit{{PID: "C9500-32QC"}, {PID: "C9500-32QC"}},
		Level:    sw.Level{Base: sw.NetworkAdvantage, Addon: sw.DNAAdvantage},
		Version:  sw.MustVersion("17.3.1"),
	}
	reqs, _ := pair.Requests()
	for _, r := range reqs {
		fmt.Println(r.Count, r.Entitlement.Tag, "|", r.Entitlement.CSSMName, "|", r.Entitlement.Kind())
	}
	// Output:
	// 2 C9500 Network Advantage | C9500 Network Advantage | Perpetual
	// 2 C9500-32QC DNA Advantage | C9500 32QC Cisco DNA Advantage | Subscription
}
