package agenttest

import (
	"time"

	"pgregory.net/rapid"

	"github.com/slsim/slsim/license"
)

// Configs generates Env configurations: a seed, a Catalyst 9300 using one
// to four licenses of one or two tags, and a pool from two short of that
// to two over.
func Configs() *rapid.Generator[Config] {
	return rapid.Custom(func(t *rapid.T) Config {
		pid := rapid.SampledFrom([]string{"24", "48"}).Draw(t, "ports")
		usage := []license.Usage{{Tag: "C9300-" + pid + " " + rapid.SampledFrom([]string{"Network Advantage", "Network Essentials"}).Draw(t, "level"),
			Count: rapid.IntRange(1, 4).Draw(t, "count")}}
		if rapid.Bool().Draw(t, "dna") {
			usage = append(usage, license.Usage{Tag: "C9300-" + pid + " DNA Advantage", Count: usage[0].Count})
		}
		return Config{
			Seed:     rapid.Uint64().Draw(t, "seed"),
			UDI:      license.UDI{PID: "C9300-" + pid + "P", SN: "FOC2133Z0AB"},
			Usage:    usage,
			Licenses: rapid.IntRange(-2, 2).Draw(t, "licenses"),
		}
	})
}

// Outages generates outages of the path to CSSM between from and from +
// horizon: each up to maxDown long, after at least a day up.
func Outages(from time.Time, horizon, maxDown time.Duration) *rapid.Generator[[]Outage] {
	return rapid.Custom(func(t *rapid.T) []Outage {
		var out []Outage
		end := from.Add(horizon)
		cur := from
		for {
			cur = cur.Add(time.Duration(rapid.IntRange(1, 120).Draw(t, "up days")) * 24 * time.Hour)
			if !cur.Before(end) {
				return out
			}
			down := time.Duration(rapid.Int64Range(int64(time.Minute), int64(maxDown)).Draw(t, "down"))
			out = append(out, Outage{From: cur, To: cur.Add(down)})
			cur = cur.Add(down)
		}
	})
}
