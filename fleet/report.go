package fleet

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Day is the state counts of one day (at the day's start instant).
type Day struct {
	Date          time.Time `json:"date"`
	Registration  []int     `json:"registration"`  // by RegStates
	Authorization []int     `json:"authorization"` // by AuthStates
}

// Entered is the first time a device entered a state.
type Entered struct {
	Device string    `json:"device"`
	State  string    `json:"state"`
	At     time.Time `json:"at"`
}

// Alert is an alert CSSM raised.
type Alert struct {
	Raised   time.Time `json:"raised"`
	SA       string    `json:"smartAccount"`
	VA       string    `json:"virtualAccount"`
	Severity string    `json:"severity"`
	Type     string    `json:"type"`
	Source   string    `json:"source"`
	Message  string    `json:"message"`
}

// SupplyRow is a virtual account's balance of one entitlement on a day,
// recorded when it changed.
type SupplyRow struct {
	Date      time.Time `json:"date"`
	SA        string    `json:"smartAccount"`
	VA        string    `json:"virtualAccount"`
	Tag       string    `json:"tag"`
	Demand    int64     `json:"demand"`
	Supply    int64     `json:"supply"`
	Shortfall int64     `json:"shortfall"`
}

// Report is what a fleet run found.
type Report struct {
	Devices int         `json:"devices"`
	Events  int64       `json:"events"`
	Days    []Day       `json:"days"`
	Entered []Entered   `json:"entered"`
	Alerts  []Alert     `json:"alerts"`
	Supply  []SupplyRow `json:"supply"`
}

// entered is the shard's first-entered rows, sorted by device, time and
// state: the devices by name (names are unique), each device's few rows
// by time and state. Shards make theirs as they finish, side by side.
func (s *shard) entered() []Entered {
	order := make([]int32, len(s.nodes))
	rows := 0
	for idx := range s.nodes {
		order[idx] = int32(idx)
		s.first[idx].entries(func(string, int64) { rows++ })
	}
	byName := func(a, b int32) int { return strings.Compare(s.devs[a].Topo.Name, s.devs[b].Topo.Name) }
	if !slices.IsSortedFunc(order, byName) {
		slices.SortFunc(order, byName)
	}
	out := make([]Entered, 0, rows)
	for _, idx := range order {
		from := len(out)
		s.first[idx].entries(func(state string, at int64) {
			out = append(out, Entered{Device: s.devs[idx].Topo.Name, State: state, At: time.Unix(0, at).UTC()})
		})
		slices.SortFunc(out[from:], func(a, b Entered) int { return cmp.Or(a.At.Compare(b.At), strings.Compare(a.State, b.State)) })
	}
	return out
}

// merge sums the shards' reports. The shards' entered rows are merged by
// device: each device's rows are together in one shard.
func merge(shards []*shard) *Report {
	r := &Report{}
	rows := 0
	for _, s := range shards {
		rows += len(s.rows)
	}
	if rows > 0 { // else nil, as before: JSON null
		r.Entered = make([]Entered, 0, rows)
	}
	for i, s := range shards {
		r.Events += s.events
		r.Devices += len(s.nodes)
		for d, day := range s.rep.days {
			if i == 0 {
				r.Days = append(r.Days, Day{Date: day.Date, Registration: slices.Clone(day.Registration), Authorization: slices.Clone(day.Authorization)})
				continue
			}
			for k, v := range day.Registration {
				r.Days[d].Registration[k] += v
			}
			for k, v := range day.Authorization {
				r.Days[d].Authorization[k] += v
			}
		}
		for _, a := range s.c.Alerts("", true) {
			r.Alerts = append(r.Alerts, Alert{Raised: a.Raised.UTC(), SA: a.SA, VA: a.VA, Severity: a.Severity, Type: a.Type, Source: a.Source, Message: a.Message})
		}
		r.Supply = append(r.Supply, s.rep.supply...)
	}
	heads := make([]int, len(shards))
	for len(r.Entered) < rows {
		best := -1
		for k, s := range shards {
			if h := heads[k]; h < len(s.rows) && (best < 0 || s.rows[h].Device < shards[best].rows[heads[best]].Device) {
				best = k
			}
		}
		rs, h := shards[best].rows, heads[best]
		name := rs[h].Device
		for ; h < len(rs) && rs[h].Device == name; h++ {
			r.Entered = append(r.Entered, rs[h])
		}
		heads[best] = h
	}
	slices.SortFunc(r.Alerts, func(a, b Alert) int {
		return cmp.Or(a.Raised.Compare(b.Raised), strings.Compare(a.SA, b.SA), strings.Compare(a.VA, b.VA), strings.Compare(a.Type, b.Type),
			strings.Compare(a.Source, b.Source), strings.Compare(a.Message, b.Message))
	})
	slices.SortFunc(r.Supply, func(a, b SupplyRow) int {
		return cmp.Or(a.Date.Compare(b.Date), strings.Compare(a.SA, b.SA), strings.Compare(a.VA, b.VA), strings.Compare(a.Tag, b.Tag))
	})
	return r
}
