package cssm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/internal/pq"
	"github.com/slsim/slsim/license"
)

// Errors for refused operations. A refused operation changes nothing.
var (
	ErrTimeWentBack = errors.New("time went backwards")
	ErrNotFound     = errors.New("not found")
	ErrExists       = errors.New("already exists")
	ErrInvalid      = errors.New("invalid")
)

// MaxQuantity bounds a quantity of licenses in one operation. [model]
const MaxQuantity = 1_000_000_000

// registry is what a CSSM and a satellite share: accounts with their
// virtual accounts, license lots, tokens, product instances, alerts and the
// clean-up schedule. Time enters as now; nothing reads a clock.
type registry struct {
	prof     Profile
	cat      license.Catalog
	pcg      *rand.PCG
	rng      *rand.Rand
	now      time.Time
	server   string // "CSSM" or the satellite's name, for alert sources
	accounts map[string]*account
	insts    map[string]*instance // by UDI string
	tokens   map[string]*token    // by token value
	alerts   []*Alert
	active   map[string]*Alert // open alerts by key
	nextLot  int
	nextAlrt int
	alertVer uint64 // counts alerts raised and cleared (AlertsVersion)
	nextGen  uint64
	sched    pq.Heap[entry]
	seq      uint64 // schedule entries pushed
	// floor is a time (Unix ns) before which no live entry is due: the
	// earliest live entry's when next last looked, lowered by pushes since
	// (entries only die, or come by a push). math.MaxInt64: none.
	floor  int64
	nowNs  int64  // now in Unix ns, as advance last set it (a later push at or before it lowers floor to it)
	states uint64 // VA states built so far: each has its own generation
	// authTime's answer (authAt) for the instant authFor.
	authFor, authAt time.Time
	// first and last are the ends of the contact list (schedule.go): the
	// instances whose next check is their connect check, by last contact,
	// oldest first.
	first, last *instance
	busy        bool         // answers every device request "try again" (seed scenario 2)
	user        string       // who the event log names for operations (Acting)
	cv          *conversions // nil until the account has PAKs or conversions
	users       map[string]*user
	clients     map[string]*APIClient
}

type account struct {
	Name, Domain string
	vas          map[string]*vaccount
	defaultVA    string
	events       []event // the event log, oldest first; the last MaxEvents count
}

type vaccount struct {
	sa                string // its smart account's name
	Name, Description string
	lots              []*lot
	demand            map[string]int64            // requests of consuming instances, by tag
	external          map[string]map[string]int64 // demand reported by satellites (on CSSM) or by CSSM (on a satellite): source → tag → count
	ninst             int                         // its product instances (found by scanning the registry's: reports and renames are rare)
	cache             *vaState                    // nil when demand or supply changed
	spare             *vaState                    // the last state built, whose storage the next rebuild reuses (no one keeps a state)
	short             map[string]bool             // tags with an open "Insufficient Licenses" alert
}

type lot struct {
	ID    int
	Tag   string
	Qty   int64
	Start time.Time
	End   time.Time // zero: perpetual
	// Warned and Expired record the alerts already raised.
	Warned, Expired bool
}

func (l *lot) activeAt(t time.Time) bool {
	return !t.Before(l.Start) && (l.End.IsZero() || t.Before(l.End))
}

type instance struct {
	// Hot: read or written on every request of the device, kept together.
	gen         uint64
	LastContact time.Time
	Usage       []license.Usage
	vacc        *vaccount // its virtual account (names: sa() and va()); renames keep the object
	Consuming   bool
	Connected   bool // false once "Failed to Connect" was raised
	renewAlert  bool // its "Failed to Renew" alert is open
	listed      bool // on the contact list (then it has no live schedule entry)
	in          bool // compliant's answer for the state of generation inGen
	inGen       uint64
	sched       uint64    // the seq of its live schedule entry
	prev, next  *instance // on the contact list

	UDI        license.UDI
	Hostname   string
	Registered time.Time
	CertStart  time.Time
	CertSerial string
	NextCheck  time.Time
	extra      *instanceExtra // nil for most instances
}

// instanceExtra is what only some instances have: a stack's member UDIs
// (high availability) and the key their requests are signed with.
type instanceExtra struct {
	Members []license.UDI
	KeyID   string
}

func newExtra(members []license.UDI, key string) *instanceExtra {
	if len(members) == 0 && key == "" {
		return nil
	}
	return &instanceExtra{Members: slices.Clone(members), KeyID: key}
}

func (i *instance) members() []license.UDI {
	if i.extra == nil {
		return nil
	}
	return i.extra.Members
}

func (i *instance) keyID() string {
	if i.extra == nil {
		return ""
	}
	return i.extra.KeyID
}

// sa and va name the instance's smart and virtual account.
func (i *instance) sa() string { return i.vacc.sa }
func (i *instance) va() string { return i.vacc.Name }

// udiKey is the instance's UDI as a string, the key of its maps, schedule
// entries and alerts: built when asked (rarely: a renewal never asks), not
// kept, so that an instance fits 256 bytes.
func (i *instance) udiKey() string { return i.UDI.String() }

type token struct {
	Value            string
	SA, VA           string
	Description      string
	Created, Expires time.Time
	MaxUses, Uses    int
	ExportControlled bool
	Revoked          bool
	CreatedBy        string `json:",omitempty"` // the portal user or API client; "" for the system
}

func newRegistry(now time.Time, prof *Profile, cat license.Catalog, seed uint64, server string) (*registry, error) {
	p := DefaultProfile()
	if prof != nil {
		p = *prof
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if now.IsZero() {
		return nil, errors.New("start time is zero")
	}
	if err := checkTime(now); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	pcg := rand.NewPCG(seed, seed^0x5851f42d4c957f2d)
	return &registry{
		prof: p, cat: cat, pcg: pcg, rng: rand.New(pcg), now: now, server: server,
		accounts: map[string]*account{}, insts: map[string]*instance{}, tokens: map[string]*token{}, users: map[string]*user{}, clients: map[string]*APIClient{},
		active: map[string]*Alert{}, nextLot: 1, nextAlrt: 1, floor: math.MaxInt64, nowNs: unixNano(now),
	}, nil
}

// at checks and sets the registry's time.
func (r *registry) at(now time.Time) error {
	if now == r.now {
		return nil
	}
	if now.Before(r.now) {
		return fmt.Errorf("%w (at %s, %s is at %s)", ErrTimeWentBack, now.Format(time.RFC3339), r.server, r.now.Format(time.RFC3339))
	}
	return checkTime(now)
}

func checkName(kind, n string) error {
	if strings.TrimSpace(n) == "" {
		return fmt.Errorf("%w %s name: empty", ErrInvalid, kind)
	}
	if len(n) > 80 {
		return fmt.Errorf("%w %s name %q: longer than 80 characters", ErrInvalid, kind, n)
	}
	for _, c := range n {
		if c < ' ' || c == 0x7f {
			return fmt.Errorf("%w %s name %q: control character", ErrInvalid, kind, n)
		}
	}
	return nil
}

func (r *registry) account(sa string) (*account, error) {
	a, ok := r.accounts[sa]
	if !ok {
		return nil, fmt.Errorf("smart account %q: %w", sa, ErrNotFound)
	}
	return a, nil
}

func (r *registry) va(sa, va string) (*account, *vaccount, error) {
	a, err := r.account(sa)
	if err != nil {
		return nil, nil, err
	}
	v, ok := a.vas[va]
	if !ok {
		return nil, nil, fmt.Errorf("virtual account %q of %q: %w", va, sa, ErrNotFound)
	}
	return a, v, nil
}

func newVA(sa, name, desc string) *vaccount {
	return &vaccount{sa: sa, Name: name, Description: desc, demand: map[string]int64{}, external: map[string]map[string]int64{}, short: map[string]bool{}}
}

// DefaultVAName is the name CSSM gives the default virtual account. [doc]
const DefaultVAName = "DEFAULT"

func (r *registry) createAccount(name, domain string) error {
	if err := checkName("smart account", name); err != nil {
		return err
	}
	if domain != "" {
		if err := checkName("domain", domain); err != nil {
			return err
		}
	}
	if _, dup := r.accounts[name]; dup {
		return fmt.Errorf("smart account %q: %w", name, ErrExists)
	}
	r.accounts[name] = &account{Name: name, Domain: domain, vas: map[string]*vaccount{DefaultVAName: newVA(name, DefaultVAName, "Default virtual account")}, defaultVA: DefaultVAName}
	return nil
}

func (r *registry) createVA(sa, name, desc string) error {
	a, err := r.account(sa)
	if err != nil {
		return err
	}
	if err := a.checkNewVA(name); err != nil {
		return err
	}
	a.vas[name] = newVA(sa, name, desc)
	r.log(sa, name, "Virtual account %s was created.", name)
	return nil
}

// checkNewVA refuses a bad or taken virtual account name.
func (a *account) checkNewVA(name string) error {
	if err := checkName("virtual account", name); err != nil {
		return err
	}
	if _, dup := a.vas[name]; dup {
		return fmt.Errorf("virtual account %q of %q: %w", name, a.Name, ErrExists)
	}
	return nil
}

func (r *registry) renameVA(sa, old, name string) error {
	a, v, err := r.va(sa, old)
	if err != nil {
		return err
	}
	if err := a.checkNewVA(name); err != nil {
		return err
	}
	delete(a.vas, old)
	v.Name = name
	a.vas[name] = v
	if a.defaultVA == old {
		a.defaultVA = name
	}
	for _, t := range r.tokens {
		if t.SA == sa && t.VA == old {
			t.VA = name
		}
	}
	for _, al := range r.alerts {
		if al.SA == sa && al.VA == old {
			al.VA = name
			if al.Active() && al.Type == AlertInsufficient {
				delete(r.active, al.key)
				al.key = "short:" + sa + "/" + name + "/" + al.Tag
				r.active[al.key] = al
			}
		}
	}
	return nil
}

func (r *registry) deleteVA(sa, name string) error {
	a, v, err := r.va(sa, name)
	if err != nil {
		return err
	}
	switch {
	case a.defaultVA == name:
		return fmt.Errorf("%w: virtual account %q is the default; make another the default first", ErrInvalid, name)
	case v.ninst > 0:
		return fmt.Errorf("%w: virtual account %q still has %d product instances", ErrInvalid, name, v.ninst)
	case len(v.lots) > 0:
		return fmt.Errorf("%w: virtual account %q still holds licenses; transfer or remove them first", ErrInvalid, name)
	case len(v.external) > 0:
		return fmt.Errorf("%w: virtual account %q still has satellite usage", ErrInvalid, name)
	}
	delete(a.vas, name)
	for k, t := range r.tokens {
		if t.SA == sa && t.VA == name {
			delete(r.tokens, k)
		}
	}
	return nil
}

func (r *registry) setDefaultVA(sa, name string) error {
	a, _, err := r.va(sa, name)
	if err != nil {
		return err
	}
	a.defaultVA = name
	return nil
}

func checkQty(q int64) error {
	if q < 1 || q > MaxQuantity {
		return fmt.Errorf("%w quantity %d: want 1 to %d", ErrInvalid, q, MaxQuantity)
	}
	return nil
}

func (r *registry) checkTag(tag string) error {
	if strings.TrimSpace(tag) == "" || len(tag) > 120 {
		return fmt.Errorf("%w entitlement tag %q", ErrInvalid, tag)
	}
	if r.cat != nil {
		if _, ok := r.cat.Lookup(tag); !ok {
			return fmt.Errorf("%w: entitlement tag %q is not in the catalogue", ErrInvalid, tag)
		}
	}
	return nil
}

// addLot adds licenses. A zero end is perpetual; a term needs end > start
// and must not have ended already.
func (r *registry) addLot(sa, va, tag string, qty int64, start, end time.Time) (int, error) {
	_, v, err := r.va(sa, va)
	if err != nil {
		return 0, err
	}
	if err := r.checkTag(tag); err != nil {
		return 0, err
	}
	if err := checkQty(qty); err != nil {
		return 0, err
	}
	if start.IsZero() {
		start = r.now
	}
	if !end.IsZero() && !end.After(start) {
		return 0, fmt.Errorf("%w term: end %s is not after start %s", ErrInvalid, end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	if !end.IsZero() && !end.After(r.now) {
		return 0, fmt.Errorf("%w term: it ended on %s", ErrInvalid, end.Format(time.DateOnly))
	}
	l := &lot{ID: r.nextLot, Tag: tag, Qty: qty, Start: start, End: end}
	r.nextLot++
	v.lots = append(v.lots, l)
	v.cache = nil
	r.scheduleLot(sa, va, l)
	r.refreshShortages(sa, va)
	r.log(sa, va, "%d %s license(s) were added.", qty, r.licenseName(tag))
	return l.ID, nil
}

// supply is the licenses of a tag active now.
func (v *vaccount) supply(tag string, now time.Time) int64 {
	var s int64
	for _, l := range v.lots {
		if l.Tag == tag && l.activeAt(now) {
			s += l.Qty
		}
	}
	return s
}

// removeLots takes qty licenses of a tag out, from the lots that end
// soonest first (perpetual ones last), and returns what was taken.
func (v *vaccount) removeLots(tag string, qty int64, now time.Time) []lot {
	var cands []*lot
	for _, l := range v.lots {
		if l.Tag == tag && l.activeAt(now) {
			cands = append(cands, l)
		}
	}
	slices.SortStableFunc(cands, func(a, b *lot) int {
		switch {
		case a.End.IsZero() && b.End.IsZero():
			return b.ID - a.ID
		case a.End.IsZero():
			return 1
		case b.End.IsZero():
			return -1
		case !a.End.Equal(b.End):
			return a.End.Compare(b.End)
		}
		return b.ID - a.ID
	})
	var taken []lot
	for _, l := range cands {
		if qty == 0 {
			break
		}
		n := min(qty, l.Qty)
		part := *l
		part.Qty = n
		taken = append(taken, part)
		l.Qty -= n
		qty -= n
	}
	v.lots = slices.DeleteFunc(v.lots, func(l *lot) bool { return l.Qty == 0 })
	v.cache = nil
	return taken
}

func (r *registry) removeLicenses(sa, va, tag string, qty int64) error {
	_, v, err := r.va(sa, va)
	if err != nil {
		return err
	}
	if err := checkQty(qty); err != nil {
		return err
	}
	if s := v.supply(tag, r.now); qty > s {
		return fmt.Errorf("%w: remove %d of %q from %q: it holds %d", ErrInvalid, qty, tag, va, s)
	}
	v.removeLots(tag, qty, r.now)
	r.refreshShortages(sa, va)
	r.log(sa, va, "%d %s license(s) were removed.", qty, r.licenseName(tag))
	return nil
}

func (r *registry) transferLicenses(sa, from, to, tag string, qty int64) error {
	_, src, err := r.va(sa, from)
	if err != nil {
		return err
	}
	_, dst, err := r.va(sa, to)
	if err != nil {
		return err
	}
	if from == to {
		return fmt.Errorf("%w: transfer from %q to itself", ErrInvalid, from)
	}
	if err := checkQty(qty); err != nil {
		return err
	}
	if avail := r.state(src).tag(tag).Available; qty > avail {
		return fmt.Errorf("%w: transfer %d of %q from %q: only %d available (not in use)", ErrInvalid, qty, tag, from, avail)
	}
	for _, part := range src.removeLots(tag, qty, r.now) {
		l := part
		l.ID = r.nextLot
		r.nextLot++
		dst.lots = append(dst.lots, &l)
		r.scheduleLot(sa, to, &l)
	}
	dst.cache = nil
	r.refreshShortages(sa, from)
	r.refreshShortages(sa, to)
	r.log(sa, from, "%d %s license(s) were transferred from %s to %s.", qty, r.licenseName(tag), from, to)
	return nil
}

// tagState is one entitlement's balance in a virtual account.
type tagState struct {
	Tag                   string
	Name, Description     string // from the catalogue, looked up once per state
	Supply                int64
	Demand                int64 // own instances + external usage
	Own, FromParent, Lent int64
	Shortfall             int64
	Available             int64 // supply not used by own or child demand
}

type vaState struct {
	tags     []tagState // sorted by tag
	anyShort bool       // some tag has a shortfall
	gen      uint64     // registry.states when it was built: no two states share one
}

// inCompliance reports whether every tag of usage is in compliance.
func (s *vaState) inCompliance(usage []license.Usage) bool {
	if !s.anyShort {
		return true
	}
	for _, u := range usage {
		if s.tag(u.Tag).Shortfall != 0 {
			return false
		}
	}
	return true
}

// compliant is st.inCompliance(i.Usage), kept by the instance until its
// VA's state is rebuilt (which any change of demand or supply does,
// including of the instance's own usage).
func (r *registry) compliant(i *instance, st *vaState) bool {
	if i.inGen != st.gen {
		i.inGen, i.in = st.gen, st.inCompliance(i.Usage)
	}
	return i.in
}

// index is the index of tag in s.tags, or -1: a VA has a handful of tags,
// compared for equality (the same strings, mostly) rather than searched.
func (s *vaState) index(tag string) int {
	for i := range s.tags {
		if s.tags[i].Tag == tag {
			return i
		}
	}
	return -1
}

func (s *vaState) tag(t string) tagState {
	if i := s.index(t); i >= 0 {
		return s.tags[i]
	}
	return tagState{Tag: t}
}

// state computes (or returns the cached) balance of every tag of a VA
// with the license hierarchy: own licenses first, then the parent's spare
// licenses for child tags in tag order. Its cost depends on the number of
// tags, not on the number of instances: demand is kept incrementally.
func (r *registry) state(v *vaccount) *vaState {
	if v.cache != nil {
		return v.cache
	}
	r.states++
	st := v.spare
	if st == nil {
		st = &vaState{}
	}
	*st = vaState{tags: st.tags[:0], gen: r.states}
	get := func(tag string) *tagState {
		if i := st.index(tag); i >= 0 {
			return &st.tags[i]
		}
		st.tags = append(st.tags, tagState{Tag: tag})
		return &st.tags[len(st.tags)-1]
	}
	for _, l := range v.lots {
		if l.activeAt(r.now) {
			get(l.Tag).Supply += l.Qty
		}
	}
	for tag, d := range v.demand {
		get(tag).Demand += d
	}
	for _, ext := range v.external {
		for tag, d := range ext {
			get(tag).Demand += d
		}
	}
	slices.SortFunc(st.tags, func(a, b tagState) int { return strings.Compare(a.Tag, b.Tag) })
	for i := range st.tags {
		t := &st.tags[i]
		t.Name, t.Description = r.entitlement(t.Tag)
	}
	r.balance(st)
	v.cache, v.spare = st, st
	return st
}

// balance computes a state's balance from each tag's supply and demand:
// own licenses first, then the parent's spare ones for child tags in tag
// order.
func (r *registry) balance(st *vaState) {
	st.anyShort = false
	for i := range st.tags {
		t := &st.tags[i]
		t.Own, t.FromParent, t.Lent = min(t.Demand, t.Supply), 0, 0
	}
	for i := range st.tags {
		t := &st.tags[i]
		rest := t.Demand - t.Own
		if rest > 0 && r.cat != nil {
			if e, ok := r.cat.Lookup(t.Tag); ok && e.Parent != "" {
				if pi := st.index(e.Parent); pi >= 0 {
					p := &st.tags[pi]
					take := min(rest, p.Supply-p.Own-p.Lent)
					p.Lent += take
					t.FromParent = take
					rest -= take
				}
			}
		}
		t.Shortfall = rest
		st.anyShort = st.anyShort || rest > 0
	}
	for i := range st.tags {
		t := &st.tags[i]
		t.Available = t.Supply - t.Own - t.Lent
	}
}

// addDemand adds sign × usage to a VA's demand and to its cached state,
// if it has one that holds every tag of usage before and after (an
// instance's first authorization, mostly): the state is balanced again
// under a new generation, as a rebuild would have made it, without one.
// Otherwise the cache is dropped.
func (r *registry) addDemand(v *vaccount, usage []license.Usage, sign int64) {
	for _, u := range usage {
		if v.demand[u.Tag] += sign * int64(u.Count); v.demand[u.Tag] == 0 {
			delete(v.demand, u.Tag)
		}
	}
	st := v.cache
	if st == nil || len(usage) == 0 {
		return
	}
	for _, u := range usage {
		i := st.index(u.Tag)
		// A rebuild lists a tag with demand (own or a satellite's) or an
		// active lot; one left with neither (or a lot of none) is rebuilt.
		if i < 0 || st.tags[i].Demand+sign*int64(u.Count) <= 0 && st.tags[i].Supply <= 0 {
			v.cache = nil
			return
		}
	}
	for _, u := range usage {
		st.tags[st.index(u.Tag)].Demand += sign * int64(u.Count)
	}
	r.states++
	st.gen = r.states
	r.balance(st)
}

// refreshShortages raises or clears "Insufficient Licenses" for a VA.
func (r *registry) refreshShortages(sa, va string) {
	if a, ok := r.accounts[sa]; ok {
		if v, ok := a.vas[va]; ok {
			r.refreshVA(v)
		}
	}
}

// refreshVA is refreshShortages for a VA at hand.
func (r *registry) refreshVA(v *vaccount) {
	st := r.state(v)
	if len(v.short) == 0 && !st.anyShort {
		return // nothing short, nothing was: the common case costs nothing
	}
	sa, va := v.sa, v.Name
	prefix := "short:" + sa + "/" + va + "/"
	var now map[string]bool
	for _, t := range st.tags {
		if t.Shortfall > 0 {
			if now == nil {
				now = map[string]bool{}
			}
			now[t.Tag] = true
			r.raise(prefix+t.Tag, Alert{Severity: SevMajor, Type: AlertInsufficient, SA: sa, VA: va, Tag: t.Tag,
				Message: fmt.Sprintf("The virtual account %s needs %d more %s license(s)", va, t.Shortfall, r.licenseName(t.Tag))})
		}
	}
	for tag := range v.short {
		if !now[tag] {
			r.clear(prefix + tag)
		}
	}
	v.short = now
}

func (r *registry) licenseName(tag string) string {
	if r.cat != nil {
		if e, ok := r.cat.Lookup(tag); ok && e.Name != "" {
			return e.Name
		}
	}
	return tag
}

func (r *registry) entitlement(tag string) (name, desc string) {
	if r.cat != nil {
		if e, ok := r.cat.Lookup(tag); ok {
			return e.Name, e.Description
		}
	}
	return tag, tag
}

// setUsage replaces an instance's usage in its VA's demand.
func (r *registry) setUsage(i *instance, usage []license.Usage, consuming bool) {
	if i.Consuming == consuming && sameUsage(i.Usage, usage) {
		return
	}
	v := i.vacc
	if i.Consuming {
		r.addDemand(v, i.Usage, -1)
	}
	i.Usage, i.Consuming = usage, consuming
	if consuming {
		r.addDemand(v, usage, 1)
	}
	r.refreshVA(v)
}

func (r *registry) removeInstance(i *instance) {
	r.setUsage(i, nil, false)
	if i.listed {
		r.unlist(i)
	}
	i.vacc.ninst--
	delete(r.insts, i.udiKey())
	i.gen = 0
	u := i.udiKey()
	r.clear("connect:" + u)
	r.clear("renew:" + u)
	i.renewAlert = false
}

func (r *registry) moveInstance(i *instance, to string) {
	usage, consuming := i.Usage, i.Consuming
	r.setUsage(i, nil, false)
	i.vacc.ninst--
	i.vacc = r.accounts[i.sa()].vas[to]
	i.vacc.ninst++
	r.setUsage(i, usage, consuming)
}
