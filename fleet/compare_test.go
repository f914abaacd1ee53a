package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/internal/pq"
)

// The side-by-side benchmarks of docs/performance.md: the same fleet (the
// synthetic mix, 200 switches) driven three ways. Each reports ns per
// simulated device-day so that runs of different lengths compare.

var benchStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func compareSpec(days int) Spec { return compareSpecN(200, days) }

func compareSpecN(devices, days int) Spec {
	spec := Synthetic(devices, max(2, devices/1000), benchStart, 1, 1)
	spec.Duration = time.Duration(days) * agent.Day
	return spec
}

func oneShard(b *testing.B, spec *Spec) *shard {
	b.Helper()
	prof, err := prepare(spec.Profile)
	if err != nil {
		b.Fatal(err)
	}
	usages, err := spec.validate()
	if err != nil {
		b.Fatal(err)
	}
	of, _ := spec.plan(agent.Profile(prof.Profile), usages, 1)
	units := map[unit]bool{}
	for u := range of {
		units[u] = true
	}
	devs := make([]int32, len(spec.Devices))
	for i := range devs {
		devs[i] = int32(i)
	}
	s, err := newShard(spec, prof, units, devs, spec.Seed, usages)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func perDeviceDay(b *testing.B, devices, days int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(devices*days), "ns/device-day")
}

// compareSizes are the fleets the engine and the bare queue are compared
// on: the small one of the stepping benchmarks, and one large enough that
// the calendar's fixed cost per virtual minute no longer shows.
var compareSizes = []int{200, 20_000}

// BenchmarkCompareEventDriven: the fleet engine — each device runs only at
// its next deadline (a calendar queue of deadlines), 365 days.
func BenchmarkCompareEventDriven(b *testing.B) {
	for _, n := range compareSizes {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			spec := compareSpecN(n, 365)
			var events int64
			for i := 0; i < b.N; i++ {
				b.StopTimer() // building the shard (CSSM, registrations) is not the run
				s := oneShard(b, &spec)
				b.StartTimer()
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
				events += s.events
			}
			perDeviceDay(b, n, 365)
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkCompareMockStep: the naive way — a clock.Mock advanced a minute
// at a time with Add, every agent (and CSSM) advanced to the mock's time
// after each step; one virtual day. Mock.Add yields with a 1 ms sleep each
// call, as the library does to let timer goroutines run.
func BenchmarkCompareMockStep(b *testing.B) {
	spec := compareSpec(1)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := oneShard(b, &spec)
		b.StartTimer()
		mock := clock.NewMock()
		mock.Set(benchStart)
		end := benchStart.Add(agent.Day)
		for mock.Now().Before(end) {
			mock.Add(time.Minute)
			stepAll(b, s, mock.Now())
		}
	}
	perDeviceDay(b, 200, 1)
}

// BenchmarkCompareLoopStep: the same minute-by-minute stepping without the
// mock (a plain loop over time values): the cost of stepping itself, 30
// days.
func BenchmarkCompareLoopStep(b *testing.B) {
	spec := compareSpec(30)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := oneShard(b, &spec)
		b.StartTimer()
		end := benchStart.Add(30 * agent.Day)
		for now := benchStart.Add(time.Minute); !now.After(end); now = now.Add(time.Minute) {
			stepAll(b, s, now)
		}
	}
	perDeviceDay(b, 200, 30)
}

func stepAll(b *testing.B, s *shard, now time.Time) {
	for idx := range s.nodes {
		if err := s.nodes[idx].a.Advance(now.UnixNano(), &s.fx); err != nil {
			b.Fatal(err)
		}
		s.settle(int32(idx), now)
	}
	if err := s.c.Advance(now); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCompareBareQueue: the physical limit of the design — the same
// calendar of per-device deadlines and the same daily samples, with as many
// pops and pushes as the event-driven run has events, and no agent or CSSM
// logic: each device is simply due again 30 days on (and the OUT OF
// COMPLIANCE ones 12 hours on), the mix's two cadences.
func BenchmarkCompareBareQueue(b *testing.B) {
	for _, n := range compareSizes {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) { bareQueue(b, n) })
	}
}

func bareQueue(b *testing.B, n int) {
	spec := compareSpecN(n, 365)
	s := oneShard(b, &spec)
	if err := s.run(); err != nil {
		b.Fatal(err)
	}
	target := s.events
	short := make([]bool, n)
	for i, node := range s.nodes {
		short[i] = node.auth == 4 // OUT OF COMPLIANCE at the end of the run
	}
	b.ResetTimer()
	var sink int64
	for i := 0; i < b.N; i++ {
		q := pq.NewCalendar(calendarWidth, calendarBits, benchStart.UnixNano())
		for idx := range n {
			q.Push(pq.Item{At: benchStart.UnixNano() + int64(idx), ID: uint64(idx)})
		}
		day := benchStart.UnixNano()
		for ev := int64(0); ev < target; ev++ {
			e := q.Pop()
			for day < e.At {
				day += int64(agent.Day)
				sink += int64(q.Len())
			}
			next := 30 * int64(agent.Day)
			if short[e.ID] {
				next = int64(12 * time.Hour)
			}
			q.Push(pq.Item{At: e.At + next, ID: e.ID})
		}
	}
	_ = sink
	perDeviceDay(b, n, 365)
	b.ReportMetric(float64(target)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
