package fleet_test

import (
	"testing"

	"github.com/slsim/slsim/fleet"
)

// BenchmarkFleet2000x5y runs 2,000 switches of the synthetic mix for five
// years on one shard; events/s is reported.
func BenchmarkFleet2000x5y(b *testing.B) {
	spec := fleet.Synthetic(2000, 10, start, 5, 1)
	var events int64
	for i := 0; i < b.N; i++ {
		r, err := fleet.Run(spec)
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
