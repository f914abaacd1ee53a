package stackwise_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sw "github.com/slsim/slsim/stackwise"
)

func lvl(t *testing.T, s string) sw.Level {
	t.Helper()
	l, err := sw.ParseLevel(s)
	require.NoError(t, err)
	return l
}

func counts(t *testing.T, d sw.Device) map[string]int {
	t.Helper()
	reqs, err := d.Requests()
	require.NoError(t, err)
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Entitlement.Tag] = r.Count
	}
	return out
}

func switches(pids ...string) []sw.Unit {
	out := make([]sw.Unit, len(pids))
	for i, p := range pids {
		out[i] = sw.Unit{PID: p}
	}
	return out
}

const (
	naDA = "network-advantage addon dna-advantage"
	neDE = "network-essentials addon dna-essentials"
)

// Every row of the counting rules (docs/counting.md, The rules) and the
// captured counts.
func TestCountingRules(t *testing.T) {
	v17 := sw.MustVersion("17.3.1")
	for _, tc := range []struct {
		name string
		dev  sw.Device
		want map[string]int
	}{
		{"9300 mixed stack (capture: C9300-24 rows of 2, C9300-48 rows of 1)",
			sw.Device{Name: "s", Switches: switches("C9300-24P", "C9300-24UX", "C9300-48P"), Level: lvl(t, naDA), Version: v17},
			map[string]int{"C9300-24 Network Advantage": 2, "C9300-24 DNA Advantage": 2, "C9300-48 Network Advantage": 1, "C9300-48 DNA Advantage": 1}},
		{"9300 one per switch, eight members",
			sw.Device{Name: "s", Switches: switches("C9300-48T", "C9300-48T", "C9300-48P", "C9300-48U", "C9300-48UXM", "C9300-48UN", "C9300-48S", "C9300-48T"), Level: lvl(t, neDE), Version: v17},
			map[string]int{"C9300-48 Network Essentials": 8, "C9300-48 DNA Essentials": 8}},
		{"9300 without add-on requests no DNA",
			sw.Device{Name: "s", Switches: switches("C9300-24T"), Level: lvl(t, "network-essentials"), Version: v17},
			map[string]int{"C9300-24 Network Essentials": 1}},
		{"C9407R with two supervisors: 2 network, 1 DNA",
			sw.Device{Name: "c", Chassis: []sw.Chassis{{PID: "C9407R", Supervisors: []string{"C9400-SUP-1", "C9400-SUP-1"}}}, Level: lvl(t, naDA), Version: v17},
			map[string]int{"advantagek9-C9400": 2, "dna_advantage-C9400": 1}},
		{"C9410R with one supervisor",
			sw.Device{Name: "c", Chassis: []sw.Chassis{{PID: "C9410R", Supervisors: []string{"C9400X-SUP-2"}}}, Level: lvl(t, neDE), Version: v17},
			map[string]int{"essentialsk9-C9400": 1, "dna_essentials-C9400": 1}},
		{"9400 StackWise Virtual: network per supervisor, DNA per chassis",
			sw.Device{Name: "c", Chassis: []sw.Chassis{{PID: "C9404R", Supervisors: []string{"C9400-SUP-1XL"}}, {PID: "C9404R", Supervisors: []string{"C9400-SUP-1XL", "C9400-SUP-1XL"}}}, Level: lvl(t, naDA), Version: v17},
			map[string]int{"advantagek9-C9400": 3, "dna_advantage-C9400": 2}},
		{"C9500-32QC SVL on 17.x: generic network, model-specific DNA",
			sw.Device{Name: "p", Switches: switches("C9500-32QC", "C9500-32QC"), Level: lvl(t, naDA), Version: v17},
			map[string]int{"C9500 Network Advantage": 2, "C9500-32QC DNA Advantage": 2}},
		{"C9500-32QC SVL on 16.11.1: model-specific network",
			sw.Device{Name: "p", Switches: switches("C9500-32QC", "C9500-32QC"), Level: lvl(t, naDA), Version: sw.MustVersion("16.11.1")},
			map[string]int{"C9500-32QC Network Advantage": 2, "C9500-32QC DNA Advantage": 2}},
		{"C9500-48Y4C on 16.12.2 (before 16.12.3): model-specific",
			sw.Device{Name: "p", Switches: switches("C9500-48Y4C"), Level: lvl(t, "network-essentials"), Version: sw.MustVersion("16.12.2")},
			map[string]int{"C9500-48Y4C Network Essentials": 1}},
		{"C9500-32C on 16.12.3: generic",
			sw.Device{Name: "p", Switches: switches("C9500-32C"), Level: lvl(t, neDE), Version: sw.MustVersion("16.12.3")},
			map[string]int{"C9500 Network Essentials": 1, "C9500-32C DNA Essentials": 1}},
		{"C9500-24Y4C on 16.12.3a: generic",
			sw.Device{Name: "p", Switches: switches("C9500-24Y4C"), Level: lvl(t, naDA), Version: sw.MustVersion("16.12.3a")},
			map[string]int{"C9500 Network Advantage": 1, "C9500-24Y4C DNA Advantage": 1}},
		{"C9500-40X on 16.9.1 (seed example): generic network, model DNA",
			sw.Device{Name: "p", Switches: switches("C9500-40X"), Level: lvl(t, naDA), Version: sw.MustVersion("16.9.1")},
			map[string]int{"C9500 Network Advantage": 1, "C9500-40X DNA Advantage": 1}},
		{"C9500-12Q SVL",
			sw.Device{Name: "p", Switches: switches("C9500-12Q", "C9500-12Q"), Level: lvl(t, neDE), Version: v17},
			map[string]int{"C9500 Network Essentials": 2, "C9500-12Q DNA Essentials": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, counts(t, tc.dev))
		})
	}
}

func TestUsageInPlatformOrderRequestsSorted(t *testing.T) {
	d := sw.Device{Name: "s", Switches: switches("C9300-48P", "C9300-24P"), Level: lvl(t, naDA), Version: sw.MustVersion("16.9.1")}
	usage, err := d.Usage()
	require.NoError(t, err)
	var tags []string
	for _, u := range usage {
		tags = append(tags, u.Tag)
	}
	assert.Equal(t, []string{"C9300-48 Network Advantage", "C9300-48 DNA Advantage", "C9300-24 Network Advantage", "C9300-24 DNA Advantage"}, tags,
		"the platform's order: the active unit first, network before DNA")
	reqs, err := d.Requests()
	require.NoError(t, err)
	require.Equal(t, "C9300-24 DNA Advantage", reqs[0].Entitlement.Tag, "Requests are sorted by tag")
	assert.Equal(t, "regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53", reqs[1].Entitlement.FullTag)
	assert.Equal(t, sw.FromCapture, reqs[1].Entitlement.FullTagSource)
	assert.Equal(t, "network-advantage", reqs[1].Entitlement.Feature())
	assert.Equal(t, "Subscription", reqs[0].Entitlement.Kind())
}

func TestTopologyValidation(t *testing.T) {
	v := sw.MustVersion("17.3.1")
	na := lvl(t, "network-advantage")
	for name, tc := range map[string]struct {
		dev  sw.Device
		want string
	}{
		"nine members":      {sw.Device{Name: "x", Switches: switches("C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T", "C9300-24T"), Level: na, Version: v}, "at most 8"},
		"9500 two models":   {sw.Device{Name: "x", Switches: switches("C9500-32C", "C9500-32QC"), Level: na, Version: v}, "one model"},
		"three 9500":        {sw.Device{Name: "x", Switches: switches("C9500-40X", "C9500-40X", "C9500-40X"), Level: na, Version: v}, "at most 2"},
		"9300 in 9500 pair": {sw.Device{Name: "x", Switches: switches("C9500-40X", "C9300-24T"), Level: na, Version: v}, "cannot join"},
		"9500 in 9300":      {sw.Device{Name: "x", Switches: switches("C9300-24T", "C9500-40X"), Level: na, Version: v}, "cannot join"},
		"three sups":        {sw.Device{Name: "x", Chassis: []sw.Chassis{{PID: "C9407R", Supervisors: []string{"C9400-SUP-1", "C9400-SUP-1", "C9400-SUP-1"}}}, Level: na, Version: v}, "want 1 to 2"},
		"no sup":            {sw.Device{Name: "x", Chassis: []sw.Chassis{{PID: "C9407R"}}, Level: na, Version: v}, "want 1 to 2"},
		"mixed sups":        {sw.Device{Name: "x", Chassis: []sw.Chassis{{PID: "C9407R", Supervisors: []string{"C9400-SUP-1", "C9400X-SUP-2"}}}, Level: na, Version: v}, "one model"},
		"sup as switch":     {sw.Device{Name: "x", Switches: switches("C9400-SUP-1"), Level: na, Version: v}, "not a fixed switch"},
		"switch as chassis": {sw.Device{Name: "x", Chassis: []sw.Chassis{{PID: "C9300-24T", Supervisors: []string{"C9400-SUP-1"}}}, Level: na, Version: v}, "not a 9400 chassis"},
		"both":              {sw.Device{Name: "x", Switches: switches("C9300-24T"), Chassis: []sw.Chassis{{PID: "C9407R", Supervisors: []string{"C9400-SUP-1"}}}, Level: na, Version: v}, "both"},
		"empty":             {sw.Device{Name: "x", Level: na, Version: v}, "no switch"},
		"unknown PID":       {sw.Device{Name: "x", Switches: switches("C9300-24PX"), Level: na, Version: v}, "nearest known: C9300-24P"},
		"no level":          {sw.Device{Name: "x", Switches: switches("C9300-24T"), Version: v}, "missing base level"},
		"no version":        {sw.Device{Name: "x", Switches: switches("C9300-24T"), Level: na}, "missing IOS-XE version"},
		"no name":           {sw.Device{Switches: switches("C9300-24T"), Level: na, Version: v}, "without a name"},
		"duplicate serial":  {sw.Device{Name: "x", Switches: []sw.Unit{{PID: "C9300-24T", SN: "FOC1"}, {PID: "C9300-24T", SN: "FOC1"}}, Level: na, Version: v}, "twice"},
		"bad serial":        {sw.Device{Name: "x", Switches: []sw.Unit{{PID: "C9300-24T", SN: "FOC 1"}}, Level: na, Version: v}, "serial"},
		"SVL chassis kinds": {sw.Device{Name: "x", Chassis: []sw.Chassis{{PID: "C9404R", Supervisors: []string{"C9400-SUP-1"}}, {PID: "C9407R", Supervisors: []string{"C9400-SUP-1"}}}, Level: na, Version: v}, "one model"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.dev.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = tc.dev.Requests()
			assert.Error(t, err)
		})
	}
}

func TestLookupModelNamesNearest(t *testing.T) {
	_, err := sw.LookupModel("C9300-48PX")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown PID "C9300-48PX" (nearest known: C9300-48P,`)
	m, err := sw.LookupModel("c9500-32qc")
	require.NoError(t, err)
	assert.True(t, m.HighPerformance)
	assert.Equal(t, "32QC", m.Family)
}

func TestLevels(t *testing.T) {
	for in, want := range map[string]string{
		"network-advantage":                       "network-advantage",
		"Network-Essentials":                      "network-essentials",
		"network-advantage addon dna-advantage":   naDA,
		"network-essentials addon dna-essentials": neDE,
	} {
		l, err := sw.ParseLevel(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, l.String())
	}
	for _, bad := range []string{"", "dna-advantage", "network-advantage addon dna-essentials", "network-essentials addon dna-advantage", "network-advantage addon", "network-advantage dna-advantage", "network-advantage addon dna-premier"} {
		_, err := sw.ParseLevel(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestVersions(t *testing.T) {
	ordered := []string{"16.9.1", "16.9.4", "16.11.1", "16.12.1", "16.12.2", "16.12.3", "16.12.3a", "16.12.4", "17.1.1", "17.3.1"}
	for i := 1; i < len(ordered); i++ {
		a, b := sw.MustVersion(ordered[i-1]), sw.MustVersion(ordered[i])
		assert.Equal(t, -1, a.Compare(b), "%s < %s", a, b)
		assert.Equal(t, 1, b.Compare(a))
	}
	v, err := sw.ParseVersion("16.12.03a")
	require.NoError(t, err)
	assert.Equal(t, "16.12.3a", v.String())
	assert.Equal(t, 0, v.Compare(sw.MustVersion("16.12.3a")))
	for _, bad := range []string{"", "16", "16.12", "16.12.x", "16.12.3.1", "a.b.c", "16.12.3A", "16..3", "1.2.3", "16.12.-3", "16.12.3ab"} {
		_, err := sw.ParseVersion(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestCatalogue(t *testing.T) {
	es := sw.Entitlements()
	seen := map[string]bool{}
	for _, e := range es {
		assert.False(t, seen[e.Tag], "tag %q twice", e.Tag)
		seen[e.Tag] = true
		assert.NotEmpty(t, e.FullTag)
		assert.Regexp(t, `^regid\.\d{4}-\d{2}\.com\.cisco\.[^,]+,1\.0_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, e.FullTag)
		assert.Equal(t, e.Tier.IsDNA(), e.Term, e.Tag)
		if e.Parent != "" {
			p, err := sw.LookupEntitlement(e.Parent)
			require.NoError(t, err)
			assert.Equal(t, e.Tier, p.Tier)
			assert.Empty(t, p.Family, "parents are platform-wide")
		}
	}
	// The seed's names for the high-performance models.
	e, err := sw.LookupEntitlement("C9500-32C Network Advantage")
	require.NoError(t, err)
	assert.Equal(t, "C9500 32C NW Advantage", e.CSSMName)
	assert.Equal(t, "C9500 Network Advantage", e.Parent)
	e, err = sw.LookupEntitlement("C9500-48Y4C DNA Essentials")
	require.NoError(t, err)
	assert.Equal(t, "C9500 48Y4C Cisco DNA Essentials", e.CSSMName)
	e, err = sw.LookupEntitlement("C9500-40X DNA Advantage")
	require.NoError(t, err)
	assert.Equal(t, "C9500-DNA-40X-A", e.CSSMName)
	_, err = sw.LookupEntitlement("C9600 Network Advantage")
	assert.Error(t, err)
	assert.Len(t, sw.Models(), 63)
	assert.Len(t, es, 66, "docs/counting.md gives this number")
	captured := 0
	for _, e := range es {
		if e.FullTagSource == sw.FromCapture {
			captured++
		}
	}
	assert.Equal(t, 9, captured, "full tags seen on real devices")
}

func TestUDIAndHAList(t *testing.T) {
	stack := sw.Device{Name: "s", Switches: []sw.Unit{{PID: "C9300-48U", SN: "FCW2133G09T"}, {PID: "C9300-48P", SN: "FCW2132L0WA"}, {PID: "C9300-24UX", SN: "FOC2537Y0HL"}}, Level: lvl(t, naDA), Version: sw.MustVersion("17.3.1")}
	u, err := stack.UDI()
	require.NoError(t, err)
	assert.Equal(t, "PID:C9300-48U,SN:FCW2133G09T", u.String())
	ha := stack.HAList()
	require.Len(t, ha, 3)
	assert.Equal(t, []string{"Active", "Standby", "Member"}, []string{ha[0].Role, ha[1].Role, ha[2].Role})
	assert.Equal(t, "PID:C9300-24UX,SN:FOC2537Y0HL", ha[2].UDI.String())

	// A 9400 with two supervisors shows the chassis UDI twice (capture).
	ch := sw.Device{Name: "c", Chassis: []sw.Chassis{{PID: "C9407R", SN: "FXS2119Q2U7", Supervisors: []string{"C9400-SUP-1", "C9400-SUP-1"}}}, Level: lvl(t, naDA), Version: sw.MustVersion("17.3.1")}
	ha = ch.HAList()
	require.Len(t, ha, 2)
	assert.Equal(t, ha[0].UDI, ha[1].UDI)
	assert.Equal(t, "Standby", ha[1].Role)

	_, err = sw.Device{Name: "n", Switches: switches("C9300-24T")}.UDI()
	assert.Error(t, err, "no serial, no UDI")
}

// The 9200/9200L and the 3650/3850 count as the 9300 does: one network
// (or legacy level) license and one DNA license per switch, per port family.
func TestNewPlatforms(t *testing.T) {
	v169, v173 := sw.MustVersion("16.9.1"), sw.MustVersion("17.3.1")
	count := func(d sw.Device) map[string]int {
		t.Helper()
		reqs, err := d.Requests()
		require.NoError(t, err)
		m := map[string]int{}
		for _, r := range reqs {
			m[r.Entitlement.Tag] = r.Count
		}
		return m
	}
	// The C9200L capture: a two-member stack, 48-port active, at Network Essentials.
	l := sw.Device{Name: "c9200l", Switches: switches("C9200L-48P-4G", "C9200L-24P-4G"), Level: lvl(t, "network-essentials"), Version: v169}
	assert.Equal(t, map[string]int{"C9200L-NW-E-48": 1, "C9200L-NW-E-24": 1}, count(l))
	u, err := l.Usage()
	require.NoError(t, err)
	assert.Equal(t, "C9200L-NW-E-48", u[0].Tag, "the active unit's tag first, as the capture lists")
	e, err := sw.LookupEntitlement("C9200L-NW-E-24")
	require.NoError(t, err)
	assert.Equal(t, sw.FromCapture, e.TagSource)
	assert.True(t, strings.HasPrefix(e.CSSMName, "C9200L Network Essen"), "the capture's License column")

	n := sw.Device{Name: "c9200", Switches: switches("C9200-24P", "C9200-24T", "C9200-48P"), Level: lvl(t, naDA), Version: v173}
	assert.Equal(t, map[string]int{"C9200-NW-A-24": 2, "C9200-DNA-A-24": 2, "C9200-NW-A-48": 1, "C9200-DNA-A-48": 1}, count(n))

	s := sw.Device{Name: "c3850", Switches: switches("WS-C3850-24P", "WS-C3850-48P", "WS-C3850-48U"), Level: lvl(t, "ipservices"), Version: v169}
	assert.Equal(t, map[string]int{"C3850-24 IP Services": 1, "C3850-48 IP Services": 2}, count(s))
	nine := sw.Device{Name: "nine", Switches: switches("WS-C3650-24PS", "WS-C3650-24PS", "WS-C3650-24PS", "WS-C3650-24PS", "WS-C3650-24PS",
		"WS-C3650-24PS", "WS-C3650-24PS", "WS-C3650-24PS", "WS-C3650-48PS"), Level: lvl(t, "lanbase"), Version: v169}
	assert.Equal(t, map[string]int{"C3650-24 LAN Base": 8, "C3650-48 LAN Base": 1}, count(nine), "a 3650 stack takes nine")

	for name, d := range map[string]sw.Device{
		"ten 3850s":          {Name: "x", Switches: switches("WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P", "WS-C3850-24P"), Level: lvl(t, "ipbase"), Version: v169},
		"nine 9200s":         {Name: "x", Switches: switches("C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P", "C9200-24P"), Level: lvl(t, "network-essentials"), Version: v173},
		"9200 with 9200L":    {Name: "x", Switches: switches("C9200-24P", "C9200L-24P-4G"), Level: lvl(t, "network-essentials"), Version: v173},
		"3650 with 3850":     {Name: "x", Switches: switches("WS-C3650-24PS", "WS-C3850-24P"), Level: lvl(t, "ipbase"), Version: v169},
		"3850 at NA":         {Name: "x", Switches: switches("WS-C3850-24P"), Level: lvl(t, "network-advantage"), Version: v169},
		"9300 at ipservices": {Name: "x", Switches: switches("C9300-24P"), Level: lvl(t, "ipservices"), Version: v173},
		"3850 before 16.9.1": {Name: "x", Switches: switches("WS-C3850-24P"), Level: lvl(t, "ipbase"), Version: sw.MustVersion("16.6.4")},
		"9400 at lanbase":    {Name: "x", Chassis: []sw.Chassis{{PID: "C9407R", Supervisors: []string{"C9400-SUP-1"}}}, Level: lvl(t, "lanbase"), Version: v173},
	} {
		assert.Error(t, d.Validate(), name)
	}
	_, err = sw.ParseLevel("ipservices addon dna-advantage")
	assert.ErrorContains(t, err, "takes no add-on")
	p, err := sw.ParsePlatform("C3850")
	require.NoError(t, err)
	assert.True(t, p.Legacy())
}

// Pool sections per virtual account: each account's devices count
// against its own pool, Parse's pool is their sum, and Format writes the
// sections back as they were.
func TestPoolsPerVirtualAccount(t *testing.T) {
	src := `device a1 version 17.3.1 level network-advantage va Campus
  switch C9300-24P FOC1
device b1 version 17.3.1 level network-advantage va Branch
  switch C9300-24P FOC2
  switch C9300-24P FOC3
device x1 version 17.3.1 level network-advantage
  switch C9300-24P FOC4
pool
  1 C9300-24 Network Advantage
pool va Branch
  1 C9300-24 Network Advantage
pool va Campus
  3 C9300-24 Network Advantage
`
	e, sum, err := sw.Parse(strings.NewReader(src))
	require.NoError(t, err)
	assert.True(t, e.PerAccount())
	assert.Equal(t, []string{"", "Branch", "Campus"}, e.PoolVAs())
	assert.Equal(t, int64(5), sum.Get("C9300-24 Network Advantage"), "the sections summed")
	branch := sw.Check(e.DemandIn("Branch"), e.PoolOf("Branch"))
	require.Len(t, branch.Rows, 1)
	assert.Equal(t, int64(1), branch.Rows[0].Shortfall, "Branch's two switches against its one license")
	campus := sw.Check(e.DemandIn("Campus"), e.PoolOf("Campus"))
	assert.Zero(t, campus.Rows[0].Shortfall, "Campus's surplus does not cover Branch")
	assert.Equal(t, 1, e.DevicesIn("Branch"), "one stack of two")
	assert.Equal(t, 1, e.DevicesIn(""))
	var b strings.Builder
	require.NoError(t, sw.Format(&b, e, sum))
	assert.Contains(t, b.String(), "pool\n  1 C9300-24 Network Advantage\npool va Branch\n  1 C9300-24 Network Advantage\npool va Campus\n  3 C9300-24 Network Advantage\n")
	again, _, err := sw.Parse(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, e.PoolVAs(), again.PoolVAs())

	for bad, want := range map[string]string{
		"pool va\n":              "pool takes nothing, or va <virtual account>",
		"pool va A\npool va A\n": "pool va A: a second section for A",
		"pool\npool\n":           "a second pool section",
		"pool va A B\n":          "pool takes nothing",
		"pool va A\n  1 C9300-24 Network Advantage\n  2 C9300-24 Network Advantage\n": "listed twice",
	} {
		_, _, err := sw.Parse(strings.NewReader(bad))
		assert.ErrorContains(t, err, want, bad)
	}
}
