package fleet

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// Synthetic builds a realistic mix for what-if runs and benchmarks: n
// switches (C9300 stacks of 1–4 members at Network Advantage + DNA
// Advantage) across sas smart accounts of 2 virtual accounts each, behind
// 20 paths (proxies); pools that cover most VAs, a few short; outages of a
// few days on some paths and of more than 90 days on one; a DNA term that
// ends in year 3 for one VA and is renewed a month late. Seeded and
// deterministic.
func Synthetic(n, sas int, start time.Time, years int, seed uint64) Spec {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	spec := Spec{Start: start, Duration: time.Duration(years) * 365 * agent.Day, Seed: seed}
	pids := []string{"C9300-24P", "C9300-48P", "C9300-24UX", "C9300-48UXM"}
	version := stackwise.MustVersion("17.3.1")
	need := map[[2]string]map[string]int64{}
	usages := map[int][]license.Usage{} // by stack shape
	shapes := map[[3]int]int64{}        // devices by SA, VA and stack shape
	spec.Devices = make([]Device, 0, n)
	// Account and path names, made once and shared by the devices.
	saNames, vaNames, paths := make([]string, sas), []string{"VA-0", "VA-1"}, make([]string, 20)
	for s := range saNames {
		saNames[s] = fmt.Sprintf("SA-%02d", s)
	}
	for p := range paths {
		paths[p] = fmt.Sprintf("proxy-%02d", p)
	}
	for i := 0; i < n; i++ {
		sa, va := saNames[i%sas], vaNames[(i/sas)%2]
		members := 1 + rng.IntN(4)
		num := strconv.Itoa(i)
		num = "000000"[min(len(num), 6):] + num // as %06d
		d := stackwise.Device{Name: "sw" + num, Level: stackwise.Level{Base: stackwise.NetworkAdvantage, Addon: stackwise.DNAAdvantage},
			Version: version, Switches: make([]stackwise.Unit, 0, members)}
		code := members // the stack's PIDs in order, as a number: its usage depends on nothing else here
		for m := 0; m < members; m++ {
			p := rng.IntN(len(pids))
			code = code*len(pids) + p
			d.Switches = append(d.Switches, stackwise.Unit{PID: pids[p], SN: "FOC" + num + "0" + strconv.Itoa(m)})
		}
		spec.Devices = append(spec.Devices, Device{Topo: d, SA: sa, VA: va, Path: paths[i%20]})
		if _, ok := usages[code]; !ok {
			usages[code], _ = d.Usage()
		}
		shapes[[3]int{i % sas, (i / sas) % 2, code}]++
	}
	for k, n := range shapes { // the VAs' demand (sums: the order of the map does not matter)
		key := [2]string{saNames[k[0]], vaNames[k[1]]}
		if need[key] == nil {
			need[key] = map[string]int64{}
		}
		for _, u := range usages[k[2]] {
			need[key][u.Tag] += n * int64(u.Count)
		}
	}
	for s := 0; s < sas; s++ {
		for v := 0; v < 2; v++ {
			key := [2]string{fmt.Sprintf("SA-%02d", s), fmt.Sprintf("VA-%d", v)}
			for _, tag := range slices.Sorted(maps.Keys(need[key])) {
				qty := need[key][tag] + 5
				if s%7 == 3 && v == 1 {
					qty = need[key][tag] * 9 / 10 // a VA short of licenses
				}
				term := 0
				if e, err := stackwise.LookupEntitlement(tag); err == nil && e.Term { // DNA: a subscription
					term = 5
					if s == 0 && v == 0 {
						term = 3 // ends in year 3 …
						spec.Schedule = append(spec.Schedule, Event{At: start.AddDate(3, 1, 0), Kind: EvAddLicenses,
							Pool: Pool{SA: key[0], VA: key[1], Tag: tag, Qty: qty, TermYears: 3}}) // … renewed a month late
					}
				}
				spec.Pools = append(spec.Pools, Pool{SA: key[0], VA: key[1], Tag: tag, Qty: qty, TermYears: term})
			}
		}
	}
	for y := 0; y < years; y++ {
		for k := 0; k < 3; k++ {
			spec.Schedule = append(spec.Schedule, Event{At: start.AddDate(y, 0, 40+100*k+rng.IntN(20)), Kind: EvOutage,
				Path: fmt.Sprintf("proxy-%02d", rng.IntN(20)), Duration: time.Duration(1+rng.IntN(5)) * agent.Day})
		}
	}
	spec.Schedule = append(spec.Schedule, Event{At: start.AddDate(1, 2, 0), Kind: EvOutage, Path: "proxy-07", Duration: 120 * agent.Day})
	return spec
}
