package fleet_test

import (
	"runtime"
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

// BenchmarkFleetHeapPerDevice measures the live heap half way through a
// 10,000-switch, five-year run (after a forced GC), less the heap before
// the run, per device: the steady-state cost of a simulated device.
func BenchmarkFleetHeapPerDevice(b *testing.B) {
	const n = 10_000
	for i := 0; i < b.N; i++ {
		spec := fleet.Synthetic(n, 10, start, 5, 1)
		runtime.GC()
		var before, mid runtime.MemStats
		runtime.ReadMemStats(&before)
		measured := false
		spec.Progress = func(done float64) {
			if done >= 0.5 && !measured {
				measured = true
				runtime.GC()
				runtime.ReadMemStats(&mid)
			}
		}
		if _, err := fleet.Run(spec); err != nil {
			b.Fatal(err)
		}
		if !measured {
			b.Fatal("no progress reported")
		}
		b.ReportMetric(float64(int64(mid.HeapAlloc)-int64(before.HeapAlloc))/n, "heap-B/device")
	}
}
