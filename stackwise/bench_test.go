package stackwise_test

import (
	"fmt"
	"testing"

	sw "github.com/slsim/slsim/stackwise"
)

// syntheticEstate builds n devices in a fixed mix: 70% 9300 stacks of 1–8
// mixed 24/48-port members, 15% 9400 chassis (1–2 supervisors, some SVL
// pairs), 15% 9500 (standalone or SVL, high-performance on 16.9–17.3).
func syntheticEstate(n int) []sw.Device {
	na := sw.Level{Base: sw.NetworkAdvantage, Addon: sw.DNAAdvantage}
	ne := sw.Level{Base: sw.NetworkEssentials}
	versions := []sw.Version{sw.MustVersion("16.9.1"), sw.MustVersion("16.12.3a"), sw.MustVersion("17.3.1")}
	p9300 := []string{"C9300-24P", "C9300-48P", "C9300-24UX", "C9300-48UXM"}
	p9500 := []string{"C9500-32QC", "C9500-40X", "C9500-48Y4C", "C9500-16X"}
	out := make([]sw.Device, n)
	for i := range out {
		d := sw.Device{Name: fmt.Sprintf("sw%07d", i), Level: na, Version: versions[i%3]}
		if i%5 == 0 {
			d.Level = ne
		}
		switch k := i % 20; {
		case k < 14:
			for m := 0; m <= i%8; m++ {
				d.Switches = append(d.Switches, sw.Unit{PID: p9300[(i+m)%4]})
			}
		case k < 17:
			sups := []string{"C9400-SUP-1"}
			if i%2 == 0 {
				sups = append(sups, "C9400-SUP-1")
			}
			d.Chassis = []sw.Chassis{{PID: "C9407R", Supervisors: sups}}
			if k == 16 {
				d.Chassis = append(d.Chassis, sw.Chassis{PID: "C9407R", Supervisors: []string{"C9400-SUP-1"}})
			}
		default:
			pid := p9500[i%4]
			d.Switches = []sw.Unit{{PID: pid}}
			if i%2 == 1 {
				d.Switches = append(d.Switches, sw.Unit{PID: pid})
			}
		}
		out[i] = d
	}
	return out
}

func benchPool() *sw.Pool {
	var p sw.Pool
	for _, e := range sw.Entitlements() {
		if err := p.Set(e.Tag, 500_000); err != nil {
			panic(err)
		}
	}
	return &p
}

// BenchmarkCountAndCheck1M validates and counts 1,000,000 devices and checks
// the demand against a pool: the what-if of a whole estate.
func BenchmarkCountAndCheck1M(b *testing.B) {
	ds := syntheticEstate(1_000_000)
	pool := benchPool()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := sw.CountDevices(ds)
		if err != nil {
			b.Fatal(err)
		}
		_ = sw.Check(d, pool)
	}
}

// BenchmarkEstateDemandAndCheck1M sums an estate of 1,000,000 devices that
// were validated and counted when added, and checks it against a pool.
func BenchmarkEstateDemandAndCheck1M(b *testing.B) {
	e := sw.NewEstate()
	for _, d := range syntheticEstate(1_000_000) {
		if err := e.Add(d); err != nil {
			b.Fatal(err)
		}
	}
	pool := benchPool()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = sw.Check(e.Demand(), pool)
	}
}

// BenchmarkEstateAdd is the cost of validating, counting and storing one device.
func BenchmarkEstateAdd(b *testing.B) {
	ds := syntheticEstate(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	e := sw.NewEstate()
	for i := 0; i < b.N; i++ {
		if i%len(ds) == 0 {
			e = sw.NewEstate()
		}
		if err := e.Add(ds[i%len(ds)]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCountDevicesMatchesEstate(t *testing.T) {
	ds := syntheticEstate(5000)
	e := sw.NewEstate()
	var sum = map[string]int{}
	for _, d := range ds {
		if err := e.Add(d); err != nil {
			t.Fatal(err)
		}
		reqs, err := d.Requests()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			sum[r.Entitlement.Tag] += r.Count
		}
	}
	direct, err := sw.CountDevices(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range e.Demand().Lines() {
		if int64(sum[l.Entitlement.Tag]) != direct.Get(l.Entitlement.Tag) || l.Count != sum[l.Entitlement.Tag] {
			t.Fatalf("%s: per device %d, estate %d, direct %d", l.Entitlement.Tag, sum[l.Entitlement.Tag], l.Count, direct.Get(l.Entitlement.Tag))
		}
	}
	if len(e.Demand().Lines()) != len(sum) {
		t.Fatalf("estate has %d tags, devices %d", len(e.Demand().Lines()), len(sum))
	}
	ds[42].Switches = nil
	if _, err := sw.CountDevices(ds); err == nil || err.Error()[:10] != "device 43:" {
		t.Fatalf("want an error naming device 43, got %v", err)
	}
}
