package stackwise_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sw "github.com/slsim/slsim/stackwise"
)

const campus = `# campus estate
device access-1 version 17.3.1 level network-advantage addon dna-advantage
  switch C9300-24P FOC2133Z0AB
  switch C9300-24P FOC2133Z0AC
  switch C9300-48P FOC2134Z0AD
device core-1 version 16.11.1 level network-advantage addon dna-advantage
  switch C9500-32QC x2           # SVL pair, serials not needed
device dist-1 version 17.3.1 level network-advantage addon dna-advantage
  chassis C9407R FXS2119Q2U7 sup C9400-SUP-1 sup C9400-SUP-1
pool
  3 C9300-24 Network Advantage
  1 C9300-24 DNA Advantage
  1 C9300-48 Network Advantage
  1 C9300-48 DNA Advantage
  2 C9500 Network Advantage
  2 C9500-32QC DNA Advantage
  2 advantagek9-C9400
`

func parse(t *testing.T, s string) (*sw.Estate, *sw.Pool) {
	t.Helper()
	e, p, err := sw.Parse(strings.NewReader(s))
	require.NoError(t, err)
	return e, p
}

func TestWhatIfReport(t *testing.T) {
	e, p := parse(t, campus)
	assert.Equal(t, 3, e.Len())
	rep := sw.Check(e.Demand(), p)
	type row struct {
		tag                                              string
		demand, supply, own, fromParent, lent, shortfall int64
	}
	var got []row
	for _, r := range rep.Rows {
		got = append(got, row{r.Tag, r.Demand, r.Supply, r.Own, r.FromParent, r.Lent, r.Shortfall})
	}
	assert.Equal(t, []row{
		{"C9300-24 DNA Advantage", 2, 1, 1, 0, 0, 1},
		{"C9300-24 Network Advantage", 2, 3, 2, 0, 0, 0},
		{"C9300-48 DNA Advantage", 1, 1, 1, 0, 0, 0},
		{"C9300-48 Network Advantage", 1, 1, 1, 0, 0, 0},
		// 16.11.1: the pair asks for the model-specific tag, served by the generic pool.
		{"C9500 Network Advantage", 0, 2, 0, 0, 2, 0},
		{"C9500-32QC DNA Advantage", 2, 2, 2, 0, 0, 0},
		{"C9500-32QC Network Advantage", 2, 0, 0, 2, 0, 0},
		{"advantagek9-C9400", 2, 2, 2, 0, 0, 0},
		{"dna_advantage-C9400", 1, 0, 0, 0, 0, 1},
	}, got)
	assert.False(t, rep.Compliant())
	r, ok := rep.Row("dna_advantage-C9400")
	require.True(t, ok)
	assert.Equal(t, "Insufficient Licenses", r.Status())
	r, _ = rep.Row("C9300-48 DNA Advantage")
	assert.Equal(t, "In Compliance", r.Status())
}

// The parent serves its own demand before its children's.
func TestHierarchyParentDemandFirst(t *testing.T) {
	e, p := parse(t, `
device old version 16.9.1 level network-advantage
  switch C9500-32C
device new version 17.3.1 level network-advantage
  switch C9500-32C
device other version 17.3.1 level network-advantage
  switch C9500-48Y4C x2
pool
  3 C9500 Network Advantage
`)
	rep := sw.Check(e.Demand(), p)
	parent, _ := rep.Row("C9500 Network Advantage")
	child, _ := rep.Row("C9500-32C Network Advantage")
	assert.Equal(t, int64(3), parent.Demand)
	assert.Equal(t, int64(3), parent.Own)
	assert.Equal(t, int64(0), parent.Lent)
	assert.Equal(t, int64(1), child.Shortfall)
	// A more general tag is never served by a more specific one.
	e2, p2 := parse(t, `
device new version 17.3.1 level network-advantage
  switch C9500-32C
pool
  1 C9500-32C Network Advantage
`)
	rep = sw.Check(e2.Demand(), p2)
	parent, _ = rep.Row("C9500 Network Advantage")
	assert.Equal(t, int64(1), parent.Shortfall)
}

// What-if: the same estate after adding a member, upgrading the 9500 pair
// to 16.12.3 and moving the 9400 to DNA Essentials.
func TestDiff(t *testing.T) {
	e, p := parse(t, campus)
	before := sw.Check(e.Demand(), p)
	after := strings.NewReplacer(
		"  switch C9300-48P FOC2134Z0AD\n", "  switch C9300-48P FOC2134Z0AD\n  switch C9300-48P FOC2134Z0AE\n",
		"core-1 version 16.11.1", "core-1 version 16.12.3",
		"dist-1 version 17.3.1 level network-advantage addon dna-advantage", "dist-1 version 17.3.1 level network-essentials addon dna-essentials",
	).Replace(campus)
	e2, p2 := parse(t, after)
	changes := sw.Diff(before, sw.Check(e2.Demand(), p2))
	assert.Equal(t, []sw.Change{
		{Tag: "C9300-48 DNA Advantage", DemandBefore: 1, DemandAfter: 2, SupplyBefore: 1, SupplyAfter: 1, ShortBefore: 0, ShortAfter: 1},
		{Tag: "C9300-48 Network Advantage", DemandBefore: 1, DemandAfter: 2, SupplyBefore: 1, SupplyAfter: 1, ShortBefore: 0, ShortAfter: 1},
		{Tag: "C9500 Network Advantage", DemandBefore: 0, DemandAfter: 2, SupplyBefore: 2, SupplyAfter: 2},
		{Tag: "C9500-32QC Network Advantage", DemandBefore: 2, DemandAfter: 0},
		{Tag: "advantagek9-C9400", DemandBefore: 2, DemandAfter: 0, SupplyBefore: 2, SupplyAfter: 2},
		{Tag: "dna_advantage-C9400", DemandBefore: 1, DemandAfter: 0, ShortBefore: 1, ShortAfter: 0},
		{Tag: "dna_essentials-C9400", DemandAfter: 1, ShortAfter: 1},
		{Tag: "essentialsk9-C9400", DemandAfter: 2, ShortAfter: 2},
	}, changes)
}

func TestFormatRoundTrip(t *testing.T) {
	e, p := parse(t, campus)
	text := formatted(t, e, p)
	e2, p2 := parse(t, text)
	assert.Equal(t, text, formatted(t, e2, p2))
	assert.Equal(t, e.Devices(), e2.Devices())
	assert.Equal(t, p.Lines(), p2.Lines())
}

func formatted(t *testing.T, e *sw.Estate, p *sw.Pool) string {
	var b bytes.Buffer
	require.NoError(t, sw.Format(&b, e, p))
	return b.String()
}

func TestFormatCanonical(t *testing.T) {
	e, p := parse(t, campus)
	assert.Equal(t, `device access-1 version 17.3.1 level network-advantage addon dna-advantage
  switch C9300-24P FOC2133Z0AB
  switch C9300-24P FOC2133Z0AC
  switch C9300-48P FOC2134Z0AD
device core-1 version 16.11.1 level network-advantage addon dna-advantage
  switch C9500-32QC x2
device dist-1 version 17.3.1 level network-advantage addon dna-advantage
  chassis C9407R FXS2119Q2U7 sup C9400-SUP-1 sup C9400-SUP-1
pool
  1 C9300-24 DNA Advantage
  3 C9300-24 Network Advantage
  1 C9300-48 DNA Advantage
  1 C9300-48 Network Advantage
  2 C9500 Network Advantage
  2 C9500-32QC DNA Advantage
  2 advantagek9-C9400
`, formatted(t, e, p))
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for name, tc := range map[string]struct {
		text string
		line int
		want string
	}{
		"unknown keyword":   {"device a version 17.3.1 level network-advantage\n  switch C9300-24P\n  router ISR4331\n", 3, `unknown keyword "router"`},
		"unknown PID":       {"device a version 17.3.1 level network-advantage\n  switch C9300-24PX\n", 2, "nearest known: C9300-24P"},
		"switch outside":    {"switch C9300-24P\n", 1, "outside a device"},
		"bad version":       {"\n\ndevice a version 16.x.1 level network-advantage\n", 3, "not a number"},
		"missing level":     {"device a version 17.3.1\n", 1, "missing level"},
		"pairing":           {"device a version 17.3.1 level network-essentials addon dna-advantage\n", 1, "pairs with network-advantage"},
		"nine members":      {"device a version 17.3.1 level network-advantage\n switch C9300-24P x8\n switch C9300-24P\n", 3, "more than 8"},
		"mixed 9500":        {"# pair\ndevice a version 17.3.1 level network-advantage\n switch C9500-32C\n switch C9500-32QC\npool\n", 2, "one model"},
		"empty device":      {"device a version 17.3.1 level network-advantage\ndevice b version 17.3.1 level network-advantage\n switch C9300-24P\n", 1, "no switch"},
		"duplicate name":    {"device a version 17.3.1 level network-advantage\n switch C9300-24P\ndevice a version 17.3.1 level network-advantage\n", 3, "already used"},
		"pool quantity":     {"pool\n  many C9300-24 Network Advantage\n", 2, "want <quantity>"},
		"pool negative":     {"pool\n  -1 C9300-24 Network Advantage\n", 2, "outside 0.."},
		"pool tag":          {"pool\n  1 C9300-24 Network Advantages\n", 2, "unknown entitlement tag"},
		"pool twice":        {"pool\n  1 advantagek9-C9400\n  2 advantagek9-C9400\n", 3, "listed twice"},
		"pool no tag":       {"pool\n  5\n", 2, "missing the entitlement tag"},
		"chassis in stack":  {"device a version 17.3.1 level network-advantage\n switch C9300-24P\n chassis C9407R sup C9400-SUP-1\n", 3, "chassis line"},
		"sup word":          {"device a version 17.3.1 level network-advantage\n chassis C9407R FXS1 supervisor C9400-SUP-1\n", 2, "want sup"},
		"three sups":        {"device a version 17.3.1 level network-advantage\n chassis C9407R sup C9400-SUP-1 sup C9400-SUP-1 sup C9400-SUP-1\n", 2, "supervisor slots"},
		"count zero":        {"device a version 17.3.1 level network-advantage\n switch C9300-24P x0\n", 2, "count must be"},
		"header junk":       {"device a version 17.3.1 level network-advantage colour blue\n", 1, `unexpected "colour"`},
		"long line":         {"device a version 17.3.1 level network-advantage\n#" + strings.Repeat("x", 5000) + "\n", 2, "longer than"},
		"space in the name": {"device\n", 1, "missing the name"},
	} {
		t.Run(name, func(t *testing.T) {
			e, p, err := sw.Parse(strings.NewReader(tc.text))
			require.Error(t, err)
			assert.Nil(t, e)
			assert.Nil(t, p)
			var pe *sw.ParseError
			require.True(t, errors.As(err, &pe), "%v", err)
			assert.Equal(t, tc.line, pe.Line, "%v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEstateAddRefusesAndKeepsState(t *testing.T) {
	e, _ := parse(t, campus)
	before := formatted(t, e, nil)
	good, ok := e.Device("access-1")
	require.True(t, ok)
	require.Error(t, e.Add(good), "duplicate name")
	bad := good
	bad.Name = "access-2"
	bad.Switches = append(bad.Switches, sw.Unit{PID: "C9500-40X"})
	require.Error(t, e.Add(bad))
	assert.Equal(t, before, formatted(t, e, nil))
	// The estate keeps its own copy of what it was given.
	good.Name = "access-3"
	require.NoError(t, e.Add(good))
	good.Switches[0].PID = "C9300-48T"
	d, _ := e.Device("access-3")
	assert.Equal(t, "C9300-24P", d.Switches[0].PID)
}

func TestPoolRefusesBadLines(t *testing.T) {
	var p sw.Pool
	require.NoError(t, p.Set("advantagek9-C9400", 5))
	require.Error(t, p.Set("advantagek9-C9400", -1))
	require.Error(t, p.Set("advantagek9-C9400", sw.MaxPoolQuantity+1))
	require.Error(t, p.Set("nonsense", 1))
	assert.Equal(t, int64(5), p.Get("advantagek9-C9400"))
}

func FuzzParse(f *testing.F) {
	f.Add(campus)
	f.Add("device a version 16.12.3a level network-essentials addon dna-essentials\n chassis C9404R sup C9400X-SUP-2\n")
	f.Add("pool\n 1 C9500 Network Advantage\n")
	f.Add("device a version 17.3.1 level network-advantage va B\n switch C9300-24P x1\npool va B\n 1 C9300-24 Network Advantage\npool\n 2 C9500 Network Advantage\n")
	f.Add("device a version 17.3.1 level network-advantage va Campus state registered\n switch C9300-24P x1\n")
	f.Fuzz(func(t *testing.T, text string) {
		e, p, err := sw.Parse(strings.NewReader(text))
		if err != nil {
			if e != nil || p != nil {
				t.Fatalf("error with a result: %v", err)
			}
			return
		}
		// What parses, formats to text that parses to the same thing.
		var a, b bytes.Buffer
		if err := sw.Format(&a, e, p); err != nil {
			t.Fatal(err)
		}
		e2, p2, err := sw.Parse(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, a.String())
		}
		if err := sw.Format(&b, e2, p2); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("not a fixed point:\n%s\n---\n%s", a.String(), b.String())
		}
		if sw.Check(e.Demand(), p).Compliant() != sw.Check(e2.Demand(), p2).Compliant() {
			t.Fatal("round trip changed the verdict")
		}
	})
}

// A nil pool is an empty one: every demand is short, nothing panics.
func TestCheckNilPool(t *testing.T) {
	est := sw.NewEstate()
	require.NoError(t, est.Add(sw.Device{Name: "a", Version: sw.MustVersion("17.3.1"), Level: sw.Level{Base: sw.NetworkAdvantage}, Switches: []sw.Unit{{PID: "C9300-24P", SN: "FOC1"}}}))
	rep := sw.Check(est.Demand(), nil)
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, int64(1), rep.Rows[0].Shortfall)
	assert.Equal(t, rep, sw.Check(est.Demand(), &sw.Pool{}))
}

// Entitlements are found by CSSM license name as well as by tag; pool
// lines take either; unknown names suggest the nearest.
func TestLookupByCSSMName(t *testing.T) {
	for _, e := range sw.Entitlements() {
		got, err := sw.LookupCSSMName(e.CSSMName)
		require.NoError(t, err)
		assert.Equal(t, e.Tag, got.Tag)
		byEither, err := sw.LookupTagOrName(e.CSSMName)
		require.NoError(t, err)
		assert.Equal(t, e.Tag, byEither.Tag)
		byEither, err = sw.LookupTagOrName(e.Tag)
		require.NoError(t, err)
		assert.Equal(t, e.Tag, byEither.Tag)
	}
	_, err := sw.LookupCSSMName("C9300 24P Network Advantge")
	require.ErrorContains(t, err, `unknown CSSM license name "C9300 24P Network Advantge" (nearest known: C9300 24P Network Advantage,`)
	_, err = sw.LookupTagOrName("C9300-24 Network Advantge")
	require.ErrorContains(t, err, `(nearest known: C9300-24 Network Advantage,`)

	_, byName, err := sw.Parse(strings.NewReader("pool\n  3 C9500 32QC Cisco DNA Advantage\n"))
	require.NoError(t, err)
	assert.Equal(t, int64(3), byName.Get("C9500-32QC DNA Advantage"))
	_, _, err = sw.Parse(strings.NewReader("pool\n  3 C9500 32QC Cisco DNA Advantage\n  1 C9500-32QC DNA Advantage\n"))
	require.ErrorContains(t, err, `line 3: pool: "C9500-32QC DNA Advantage" listed twice`)
}

// A device's virtual account and registration state, as an import records
// them, survive a round trip; a state outside the list is refused.
func TestAccountRoundTrip(t *testing.T) {
	text := "device a version 17.3.1 level network-advantage va Campus state registered\n  switch C9300-24P FOC2133Z0AB\n" +
		"device b version 17.3.1 level network-essentials state unregistered\n  switch C9300-24T x1\n"
	e, p := parse(t, text)
	a, ok := e.Account("a")
	require.True(t, ok)
	assert.Equal(t, sw.Account{VA: "Campus", State: "registered"}, a)
	b, _ := e.Account("b")
	assert.Equal(t, sw.Account{State: "unregistered"}, b)
	assert.Equal(t, text, formatted(t, e, p))
	_, _, err := sw.Parse(strings.NewReader("device a version 17.3.1 level network-advantage state lost\n  switch C9300-24P x1\n"))
	require.ErrorContains(t, err, `line 1: device a: state "lost": want one of registered, unregistered, registering, failed`)
	_, _, err = sw.Parse(strings.NewReader("device a version 17.3.1 level network-advantage va\n"))
	require.ErrorContains(t, err, "va needs a value")
}
