package stackwise

import (
	"cmp"
	"crypto/sha1"
	"fmt"
	"slices"
	"strings"

	"github.com/slsim/slsim/license"
)

// Platform is a Catalyst family.
type Platform int

// The platforms: the Catalyst 9000 families, and the 3650/3850 that run
// Smart Licensing from IOS-XE 16.9.1.
const (
	C9300 Platform = iota + 1
	C9400
	C9500
	C9200
	C3650
	C3850
)

// String names the platform as in the estate format ("c9300").
func (p Platform) String() string {
	switch p {
	case C9300:
		return "c9300"
	case C9400:
		return "c9400"
	case C9500:
		return "c9500"
	case C9200:
		return "c9200"
	case C3650:
		return "c3650"
	case C3850:
		return "c3850"
	}
	return fmt.Sprintf("Platform(%d)", int(p))
}

// Legacy reports whether the platform is a Catalyst 3650/3850: license
// levels LAN Base, IP Base and IP Services, traditional licenses that
// Device Led Conversion turns into Smart ones.
func (p Platform) Legacy() bool { return p == C3650 || p == C3850 }

// Stacked reports whether the platform's fixed switches stack, counted
// per port family (9300, 9200, 3650, 3850).
func (p Platform) Stacked() bool { return p == C9300 || p == C9200 || p == C3650 || p == C3850 }

// ParsePlatform reads "c9300", "C9400", "9500", "c3850".
func ParsePlatform(s string) (Platform, error) {
	switch strings.TrimPrefix(strings.ToLower(s), "c") {
	case "9300":
		return C9300, nil
	case "9400":
		return C9400, nil
	case "9500":
		return C9500, nil
	case "9200":
		return C9200, nil
	case "3650":
		return C3650, nil
	case "3850":
		return C3850, nil
	}
	return 0, fmt.Errorf("unknown platform %q: want c9200, c9300, c9400, c9500, c3650 or c3850", s)
}

// Kind says what a model is.
type Kind int

// The kinds of model.
const (
	KindSwitch     Kind = iota + 1 // a fixed switch (9300 stack member, 9500)
	KindChassis                    // a 9400 chassis
	KindSupervisor                 // a 9400 supervisor engine
)

// Model is one product ID of the catalogue.
type Model struct {
	PID      string
	Platform Platform
	Kind     Kind
	// Family is the port-density family of a stacking switch ("24" or
	// "48"; "L24", "L48" for a C9200L), the model code of a 9500 ("40X",
	// "32QC"), empty for 9400 parts.
	Family string
	// HighPerformance marks the C9500 high-performance models whose
	// network tags changed at 16.12.3.
	HighPerformance bool
	// SupervisorSlots is the number of supervisor slots of a 9400 chassis.
	SupervisorSlots int
	Description     string
}

var models = func() map[string]*Model {
	m := map[string]*Model{}
	add := func(md Model) { m[md.PID] = &md }
	for _, p := range []string{"24T", "24P", "24U", "24UX", "24S"} {
		add(Model{PID: "C9300-" + p, Platform: C9300, Kind: KindSwitch, Family: "24", Description: "Catalyst 9300 24-port"})
	}
	for _, p := range []string{"48T", "48P", "48U", "48UXM", "48UN", "48S"} {
		add(Model{PID: "C9300-" + p, Platform: C9300, Kind: KindSwitch, Family: "48", Description: "Catalyst 9300 48-port"})
	}
	for pid, slots := range map[string]int{"C9404R": 2, "C9407R": 2, "C9410R": 2} {
		add(Model{PID: pid, Platform: C9400, Kind: KindChassis, SupervisorSlots: slots, Description: "Catalyst 9400 chassis"})
	}
	for _, p := range []string{"C9400-SUP-1", "C9400-SUP-1XL", "C9400-SUP-1XL-Y", "C9400X-SUP-2", "C9400X-SUP-2XL"} {
		add(Model{PID: p, Platform: C9400, Kind: KindSupervisor, Description: "Catalyst 9400 supervisor"})
	}
	for _, f := range []string{"12Q", "24Q", "40X", "16X"} {
		add(Model{PID: "C9500-" + f, Platform: C9500, Kind: KindSwitch, Family: f, Description: "Catalyst 9500"})
	}
	for _, f := range highPerf {
		add(Model{PID: "C9500-" + f, Platform: C9500, Kind: KindSwitch, Family: f, HighPerformance: true, Description: "Catalyst 9500 high performance"})
	}
	// 9200 and 9200L: a 9200 stack does not take a 9200L. [doc]
	for _, p := range []string{"24T", "24P", "24PXG", "48T", "48P", "48PXG"} {
		add(Model{PID: "C9200-" + p, Platform: C9200, Kind: KindSwitch, Family: p[:2], Description: "Catalyst 9200 " + p[:2] + "-port"})
	}
	for _, p := range []string{"24T-4G", "24P-4G", "24T-4X", "24P-4X", "48T-4G", "48P-4G", "48T-4X", "48P-4X"} {
		add(Model{PID: "C9200L-" + p, Platform: C9200, Kind: KindSwitch, Family: "L" + p[:2], Description: "Catalyst 9200L " + p[:2] + "-port"})
	}
	for _, p := range []string{"24T", "24P", "24U", "24XU", "12S", "24S", "48T", "48P", "48F", "48U", "12XS", "24XS", "48XS"} {
		fam := "24"
		if strings.HasPrefix(p, "48") {
			fam = "48"
		}
		add(Model{PID: "WS-C3850-" + p, Platform: C3850, Kind: KindSwitch, Family: fam, Description: "Catalyst 3850 " + fam + "-port"})
	}
	for _, p := range []string{"24TS", "24PS", "24PD", "24PDM", "48TS", "48PS", "48PD", "48FD", "48PQ"} {
		add(Model{PID: "WS-C3650-" + p, Platform: C3650, Kind: KindSwitch, Family: p[:2], Description: "Catalyst 3650 " + p[:2] + "-port"})
	}
	return m
}()

var highPerf = []string{"32C", "32QC", "24Y4C", "48Y4C"}

// LookupModel finds a PID (case-insensitive). An unknown PID is an error
// that names the nearest known ones.
func LookupModel(pid string) (Model, error) {
	if m := modelOf(pid); m != nil {
		return *m, nil
	}
	pids := make([]string, 0, len(models))
	for pid := range models {
		pids = append(pids, pid)
	}
	return Model{}, fmt.Errorf("unknown PID %q%s", pid, suggest(strings.ToUpper(pid), pids))
}

// modelOf looks a PID up as written, then case-insensitively (the exact
// form is the common one, and upper-casing dominates counting otherwise).
func modelOf(pid string) *Model {
	if m, ok := models[pid]; ok {
		return m
	}
	return models[strings.ToUpper(strings.TrimSpace(pid))]
}

// Models lists the catalogue, sorted by PID.
func Models() []Model {
	out := make([]Model, 0, len(models))
	for _, m := range models {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Model) int { return strings.Compare(a.PID, b.PID) })
	return out
}

// suggest names the three candidates closest to s by edit distance (ties
// by name): " (nearest known: a, b, c)".
func suggest(s string, candidates []string) string {
	type cand struct {
		name string
		d    int
	}
	cs := make([]cand, 0, len(candidates))
	for _, c := range candidates {
		cs = append(cs, cand{c, editDistance(s, c)})
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Or(cmp.Compare(a.d, b.d), strings.Compare(a.name, b.name)) })
	out := make([]string, 0, 3)
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, c.name)
	}
	return " (nearest known: " + strings.Join(out, ", ") + ")"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Tier is a license tier.
type Tier int

// The tiers of Catalyst licensing: the four of the Catalyst 9000, and the
// three levels of the 3650/3850.
const (
	NetworkEssentials Tier = iota + 1
	NetworkAdvantage
	DNAEssentials
	DNAAdvantage
	LANBase
	IPBase
	IPServices
)

// nTiers sizes the per-tier index tables.
const nTiers = IPServices + 1

// Feature is the feature name IOS shows for the tier ("network-advantage").
func (t Tier) Feature() string {
	switch t {
	case NetworkEssentials:
		return "network-essentials"
	case NetworkAdvantage:
		return "network-advantage"
	case DNAEssentials:
		return "dna-essentials"
	case DNAAdvantage:
		return "dna-advantage"
	case LANBase:
		return "lanbase"
	case IPBase:
		return "ipbase"
	case IPServices:
		return "ipservices"
	}
	return ""
}

// IsDNA reports whether the tier is a DNA add-on (a term subscription).
func (t Tier) IsDNA() bool { return t == DNAEssentials || t == DNAAdvantage }

// Source of a catalogue fact.
const (
	FromCapture = "capture" // seen in real device output
	FromSeed    = "seed"    // the field guide
	FromDoc     = "doc"     // public Cisco material
	FromModel   = "model"   // slsim's invention, following the real pattern
)

// Entitlement is one entry of the entitlement catalogue.
type Entitlement struct {
	// Tag is the short entitlement tag that devices request and `show
	// license summary` prints in parentheses; pools are keyed by it.
	Tag string
	// Display is the description `show license all` prints.
	Display string
	// TagSource is FromCapture when a real device showed the short tag.
	TagSource string
	// FullTag is the ISO 19770 software identification tag.
	FullTag string
	// FullTagSource is FromCapture when the tag was seen on a real device,
	// FromModel when slsim generated it.
	FullTagSource string
	// CSSMName is the license name in CSSM (the License column of `show
	// license summary` once CSSM has answered).
	CSSMName       string
	CSSMNameSource string
	Platform       Platform
	Tier           Tier
	// Family is the 9300 port family or the 9500 model code the tag is
	// specific to; empty for platform-wide tags.
	Family string
	// Term marks subscription licenses (DNA); network licenses are perpetual.
	Term bool
	// Parent is the tag of the more general entitlement that can fulfil
	// this one (C9500 model-specific network tags → generic), or empty.
	Parent string

	index int
}

// Feature is the IOS feature name of the entitlement.
func (e Entitlement) Feature() string { return e.Tier.Feature() }

// Kind prints "Perpetual" or "Subscription" as `show license all` does.
func (e Entitlement) Kind() string {
	if e.Term {
		return "Subscription"
	}
	return "Perpetual"
}

var (
	entitlements []Entitlement
	byTag        = map[string]int{}
)

// real full tags and CSSM names seen in captures and the seed.
var knownFullTags = map[string]string{
	"C9300-24 Network Essentials": "regid.2017-03.com.cisco.essentialsk9,1.0_90406ae8-385e-43aa-ac98-91da0ea270e2",
	"C9300-24 Network Advantage":  "regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53",
	"C9300-24 DNA Advantage":      "regid.2017-05.com.cisco.c9300_dna_advantage,1.0_411773c3-2116-4c10-94a4-5d357fe6ff18",
	"C9300-48 Network Advantage":  "regid.2017-05.com.cisco.C9300_48P_NW_Advantagek9,1.0_6a224fe3-c92e-4440-a9c1-5d0e53a54015",
	"C9300-48 DNA Advantage":      "regid.2017-05.com.cisco.C9300_48P_Dna_Advantage,1.0_60783b06-53ee-484c-b21e-615d3cf6837a",
	"advantagek9-C9400":           "regid.2017-05.com.cisco.advantagek9-C9400,1.0_61a546cd-1037-47cb-bbe6-7cad3217a7b3",
	"dna_advantage-C9400":         "regid.2017-05.com.cisco.dna_advantage-C9400,1.0_6e77dbc1-0da3-466c-8414-97c8ee4d48ce",
	"C9500 Network Advantage":     "regid.2017-03.com.cisco.advantagek9-Nyquist-C9500,1.0_f1563759-2e03-4a4c-bec5-5feec525a12c",
	"C9500-32QC DNA Advantage":    "regid.2018-01.com.cisco.C9500-DNA-32QC-A,1.0_1fd2bf73-201e-472b-a287-65f23ec80f3e",
}

// tagsFromCaptures are short tags seen in real output whose full tag no
// capture shows.
var tagsFromCaptures = map[string]bool{"C9200L-NW-E-24": true, "C9200L-NW-E-48": true}

var knownCSSMNames = map[string]string{
	"C9300-48 Network Advantage": "C9300 48P Network Advantage",
	"C9300-48 DNA Advantage":     "C9300 48P DNA Advantage",
	"C9300-48 DNA Essentials":    "C9300 48P DNA Essentials",
	"essentialsk9-C9400":         "C9400 Network Essentials",
	"dna_essentials-C9400":       "C9400 DNA Essentials",
	"C9500 Network Advantage":    "C9500 Network Advantage",
	"C9500-40X DNA Advantage":    "C9500-DNA-40X-A",
}

func init() {
	tiers := []Tier{NetworkEssentials, NetworkAdvantage, DNAEssentials, DNAAdvantage}
	word := map[Tier]string{NetworkEssentials: "Network Essentials", NetworkAdvantage: "Network Advantage", DNAEssentials: "DNA Essentials", DNAAdvantage: "DNA Advantage"}
	add := func(e Entitlement) {
		e.Term = e.Tier.IsDNA()
		e.TagSource = FromModel
		if tagsFromCaptures[e.Tag] {
			e.TagSource = FromCapture
		}
		if full, ok := knownFullTags[e.Tag]; ok {
			e.TagSource = FromCapture
			e.FullTag, e.FullTagSource = full, FromCapture
		} else {
			e.FullTag, e.FullTagSource = modelledFullTag(e.Tag), FromModel
		}
		if e.CSSMNameSource == "" {
			e.CSSMNameSource = FromModel
			if n, ok := knownCSSMNames[e.Tag]; ok {
				e.CSSMName, e.CSSMNameSource = n, FromCapture
			}
		}
		e.index = len(entitlements)
		byTag[e.Tag] = e.index
		entitlements = append(entitlements, e)
	}
	// 9300: per port family, the tag is the description. [capture]
	for _, fam := range []string{"24", "48"} {
		for _, t := range tiers {
			tag := "C9300-" + fam + " " + word[t]
			add(Entitlement{Tag: tag, Display: tag, CSSMName: "C9300 " + fam + "P " + word[t], Platform: C9300, Tier: t, Family: fam})
		}
	}
	// 9400: short tags as captured; descriptions "C9400 …". [capture, spec]
	short9400 := map[Tier]string{NetworkEssentials: "essentialsk9-C9400", NetworkAdvantage: "advantagek9-C9400", DNAEssentials: "dna_essentials-C9400", DNAAdvantage: "dna_advantage-C9400"}
	for _, t := range tiers {
		add(Entitlement{Tag: short9400[t], Display: "C9400 " + word[t], CSSMName: "C9400 " + word[t], Platform: C9400, Tier: t})
	}
	// 9500 generic network tags. [seed, capture]
	for _, t := range tiers[:2] {
		tag := "C9500 " + word[t]
		add(Entitlement{Tag: tag, Display: tag, CSSMName: tag, CSSMNameSource: FromSeed, Platform: C9500, Tier: t})
	}
	// 9500 model-specific DNA tags: "C9500-40X DNA Advantage" with the CSSM
	// name "C9500-DNA-40X-A" [seed]; the high-performance ones "C9500 32QC
	// Cisco DNA Advantage" [seed].
	for _, f := range []string{"12Q", "24Q", "40X", "16X"} {
		for _, t := range tiers[2:] {
			tag := "C9500-" + f + " " + word[t]
			add(Entitlement{Tag: tag, Display: tag, CSSMName: "C9500-DNA-" + f + "-" + word[t][4:5], Platform: C9500, Tier: t, Family: f})
		}
	}
	for _, f := range highPerf {
		for _, t := range tiers[2:] {
			tag := "C9500-" + f + " " + word[t]
			add(Entitlement{Tag: tag, Display: tag, CSSMName: "C9500 " + f + " Cisco " + word[t], CSSMNameSource: FromSeed, Platform: C9500, Tier: t, Family: f})
		}
		// Before 16.12.3 the high-performance models requested their own
		// network tags ("C9500 32C NW Advantage" in CSSM [seed]), fulfilled
		// from the generic pool. The short tag is [model].
		nw := map[Tier]string{NetworkEssentials: "NW Essentials", NetworkAdvantage: "NW Advantage"}
		for _, t := range tiers[:2] {
			tag := "C9500-" + f + " " + word[t]
			add(Entitlement{Tag: tag, Display: tag, CSSMName: "C9500 " + f + " " + nw[t], CSSMNameSource: FromSeed, Platform: C9500, Tier: t, Family: f, Parent: "C9500 " + word[t]})
		}
	}
	// 9200 and 9200L: per series and port family. The network tags'
	// form is captured ("C9200L-NW-E-24"); the DNA tags follow it; CSSM
	// names start as the capture's License column does ("C9200L Network
	// Essen…"). [capture, model]
	short := map[Tier]string{NetworkEssentials: "NW-E", NetworkAdvantage: "NW-A", DNAEssentials: "DNA-E", DNAAdvantage: "DNA-A"}
	for _, series := range []string{"C9200", "C9200L"} {
		for _, fam := range []string{"24", "48"} {
			family := fam
			if series == "C9200L" {
				family = "L" + fam
			}
			for _, t := range tiers {
				tag := series + "-" + short[t] + "-" + fam
				add(Entitlement{Tag: tag, Display: series + " " + word[t] + " " + fam + "-port", CSSMName: series + " " + word[t] + " " + fam + "-port",
					Platform: C9200, Tier: t, Family: family})
			}
		}
	}
	// 3650 and 3850: LAN Base, IP Base, IP Services per port family,
	// named as the 9300's are. [model]
	legacy := map[Tier]string{LANBase: "LAN Base", IPBase: "IP Base", IPServices: "IP Services"}
	for _, p := range []struct {
		series   string
		platform Platform
	}{{"C3650", C3650}, {"C3850", C3850}} {
		for _, fam := range []string{"24", "48"} {
			for _, t := range []Tier{LANBase, IPBase, IPServices} {
				tag := p.series + "-" + fam + " " + legacy[t]
				add(Entitlement{Tag: tag, Display: tag, CSSMName: p.series + " " + fam + "P " + legacy[t], Platform: p.platform, Tier: t, Family: fam})
			}
		}
	}
}

// modelledFullTag invents a stable ISO 19770-style tag for an entitlement
// whose real tag no public capture shows: regid.2017-05.com.cisco.<name>,
// 1.0_<UUID derived from the short tag>. [model]
func modelledFullTag(tag string) string {
	h := sha1.Sum([]byte("slsim:" + tag))
	name := strings.NewReplacer(" ", "_", "-", "_").Replace(tag)
	return fmt.Sprintf("regid.2017-05.com.cisco.%s,1.0_%x-%x-%x-%x-%x", name, h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Entitlements lists the catalogue, sorted by tag.
func Entitlements() []Entitlement {
	out := slices.Clone(entitlements)
	slices.SortFunc(out, func(a, b Entitlement) int { return strings.Compare(a.Tag, b.Tag) })
	return out
}

// LookupEntitlement finds an entitlement by its short tag.
func LookupEntitlement(tag string) (Entitlement, error) {
	i, ok := byTag[tag]
	if !ok {
		return Entitlement{}, fmt.Errorf("unknown entitlement tag %q", tag)
	}
	return entitlements[i], nil
}

// LookupCSSMName finds an entitlement by its license name in CSSM ("C9300
// 24P Network Advantage"), as the License column and CSSM's Licenses table
// show it. The match is exact; an error suggests the nearest names.
func LookupCSSMName(name string) (Entitlement, error) {
	if i, ok := byCSSMName[name]; ok {
		return entitlements[i], nil
	}
	names := make([]string, 0, len(entitlements))
	for _, e := range entitlements {
		names = append(names, e.CSSMName)
	}
	return Entitlement{}, fmt.Errorf("unknown CSSM license name %q%s", name, suggest(name, names))
}

// LookupTagOrName finds an entitlement by its short tag or, failing that,
// by its CSSM license name.
func LookupTagOrName(s string) (Entitlement, error) {
	if e, err := LookupEntitlement(s); err == nil {
		return e, nil
	}
	if i, ok := byCSSMName[s]; ok {
		return entitlements[i], nil
	}
	all := make([]string, 0, 2*len(entitlements))
	for _, e := range entitlements {
		all = append(all, e.Tag, e.CSSMName)
	}
	return Entitlement{}, fmt.Errorf("unknown entitlement tag or CSSM license name %q%s", s, suggest(s, all))
}

// byCSSMName indexes the catalogue by CSSM license name (names are unique:
// init checks it).
var byCSSMName = map[string]int{}

// maxEntitlements bounds the catalogue, so that counts fit in an array.
const maxEntitlements = 96

// Index tables for counting, filled once from the catalogue.
var (
	sortedEntitlements []Entitlement // the catalogue sorted by tag
	// idxFamily: stacking platform → port family → tier → entitlement index.
	idxFamily    = map[Platform]map[string]*[nTiers]int{}
	idx9400      [nTiers]int
	idx9500      [nTiers]int                 // generic network tags
	idx9500Model = map[string]*[nTiers]int{} // model code → tier → index
)

func init() {
	if len(entitlements) > maxEntitlements {
		panic("stackwise: catalogue larger than maxEntitlements")
	}
	sortedEntitlements = Entitlements()
	for i, e := range entitlements {
		if _, dup := byCSSMName[e.CSSMName]; dup {
			panic("stackwise: CSSM license name " + e.CSSMName + " is in the catalogue twice")
		}
		byCSSMName[e.CSSMName] = i
	}
	for _, e := range entitlements {
		switch {
		case e.Platform.Stacked():
			if idxFamily[e.Platform] == nil {
				idxFamily[e.Platform] = map[string]*[nTiers]int{}
			}
			if idxFamily[e.Platform][e.Family] == nil {
				idxFamily[e.Platform][e.Family] = &[nTiers]int{}
			}
			idxFamily[e.Platform][e.Family][e.Tier] = e.index
		case e.Platform == C9400:
			idx9400[e.Tier] = e.index
		case e.Family == "":
			idx9500[e.Tier] = e.index
		default:
			if idx9500Model[e.Family] == nil {
				idx9500Model[e.Family] = &[nTiers]int{}
			}
			idx9500Model[e.Family][e.Tier] = e.index
		}
	}
}

// catalog adapts the entitlement catalogue to license.Catalog.
type catalog struct{}

// Catalog returns the entitlement catalogue as a license.Catalog, for back
// ends (cssm) that need names and the license hierarchy.
func Catalog() license.Catalog { return catalog{} }

// Lookup implements license.Catalog.
func (catalog) Lookup(tag string) (license.CatalogEntry, bool) {
	i, ok := byTag[tag]
	if !ok {
		return license.CatalogEntry{}, false
	}
	e := entitlements[i]
	return license.CatalogEntry{Tag: e.Tag, Name: e.CSSMName, Description: e.Display, Parent: e.Parent, Term: e.Term}, true
}
