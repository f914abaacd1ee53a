package cssm_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

var (
	propSAs  = []string{"A", "B"}
	propVAs  = []string{"DEFAULT", "East", "West"}
	propTags = []string{"C9500 Network Advantage", "C9500-32C Network Advantage", na24, da24}
	propSNs  = []string{"S1", "S2", "S3", "S4", "S5"}
)

// world is a CSSM under a random script, with the tokens it handed out.
type world struct {
	c      *cssm.CSSM
	tokens []string
	trace  []string
}

func newWorld(t require.TestingT) *world {
	c, err := cssm.New(t0, cssm.Config{Catalog: stackwise.Catalog(), Seed: 1})
	require.NoError(t, err)
	w := &world{c: c}
	for _, s := range propSAs {
		require.NoError(t, c.CreateSmartAccount(t0, s, ""))
		for _, v := range propVAs[1:] {
			require.NoError(t, c.CreateVirtualAccount(t0, s, v, ""))
		}
		for _, v := range propVAs {
			tok, err := c.CreateToken(t0, s, v, cssm.TokenOptions{ExpiresAfterDays: 365})
			require.NoError(t, err)
			w.tokens = append(w.tokens, tok.Value)
		}
	}
	return w
}

type cop struct {
	Kind       string
	D          time.Duration
	SA, VA, To string
	Tag        string
	Qty        int64
	Term       bool
	SN         string
	Tok        int
	Force      bool
	MaxUses    int
	Usage      []license.Usage
}

func genCop() *rapid.Generator[cop] {
	return rapid.Custom(func(t *rapid.T) cop {
		o := cop{
			// rapid favours early entries: the common operations come first.
			Kind: rapid.SampledFrom([]string{"register", "authorize", "add", "authorize", "advance", "register", "add", "authorize",
				"advance", "transfer", "renew", "move", "remove", "deregister", "token", "revoke"}).Draw(t, "kind"),
			SA: rapid.SampledFrom(propSAs).Draw(t, "sa"), VA: rapid.SampledFrom(propVAs).Draw(t, "va"), To: rapid.SampledFrom(propVAs).Draw(t, "to"),
			Tag: rapid.SampledFrom(propTags).Draw(t, "tag"), Qty: rapid.SampledFrom([]int64{2, 1, 3, 5, 1, 2, 4, 0, -1}).Draw(t, "qty"), Term: rapid.Bool().Draw(t, "term"),
			SN: rapid.SampledFrom(propSNs).Draw(t, "sn"), Tok: rapid.IntRange(0, 11).Draw(t, "tok"), Force: rapid.Bool().Draw(t, "force"),
			MaxUses: rapid.IntRange(0, 2).Draw(t, "maxUses"),
			D:       time.Duration(rapid.IntRange(1, 40).Draw(t, "n")) * rapid.SampledFrom([]time.Duration{time.Hour, cssm.Day, 10 * cssm.Day}).Draw(t, "unit"),
		}
		for _, tag := range rapid.SliceOfNDistinct(rapid.SampledFrom(propTags), 0, 2, func(s string) string { return s }).Draw(t, "usage") {
			o.Usage = append(o.Usage, license.Usage{Tag: tag, Count: rapid.IntRange(1, 3).Draw(t, "count")})
		}
		return o
	})
}

func (w *world) step(t require.TestingT, o cop) {
	c := w.c
	now := c.Now()
	var err error
	var ans license.Answer
	u := license.UDI{PID: "C9500-32C", SN: o.SN}
	switch o.Kind {
	case "advance":
		err = c.Advance(now.Add(o.D))
	case "add":
		end := time.Time{}
		if o.Term {
			end = now.AddDate(1, 0, 0)
		}
		_, err = c.AddLicenses(now, o.SA, o.VA, o.Tag, o.Qty, time.Time{}, end)
	case "remove":
		err = c.RemoveLicenses(now, o.SA, o.VA, o.Tag, o.Qty)
	case "transfer":
		err = c.TransferLicenses(now, o.SA, o.VA, o.To, o.Tag, o.Qty)
	case "token":
		var tok cssm.Token
		tok, err = c.CreateToken(now, o.SA, o.VA, cssm.TokenOptions{ExpiresAfterDays: 200, MaxUses: o.MaxUses})
		if err == nil {
			w.tokens = append(w.tokens, tok.Value)
		}
	case "revoke":
		if len(w.tokens) > 0 {
			err = c.RevokeToken(now, w.tokens[o.Tok%len(w.tokens)])
		}
	case "register":
		tok := "Tm9Ub2tlbllldA%3D%3D"
		if len(w.tokens) > 0 {
			tok = w.tokens[o.Tok%len(w.tokens)]
		}
		ans, err = c.Handle(now, license.Register{ID: 1, UDI: u, Token: tok, Force: o.Force})
	case "authorize":
		ans, err = c.Handle(now, license.Authorize{ID: 2, UDI: u, Usage: o.Usage})
	case "renew":
		ans, err = c.Handle(now, license.RenewID{ID: 3, UDI: u})
	case "deregister":
		ans, err = c.Handle(now, license.Deregister{ID: 4, UDI: u})
	case "move":
		err = c.TransferInstance(now, u, o.To)
	}
	if err != nil && !errors.Is(err, cssm.ErrInvalid) && !errors.Is(err, cssm.ErrNotFound) && !errors.Is(err, cssm.ErrExists) {
		require.NoError(t, err, "%+v", o)
	}
	w.trace = append(w.trace, fmt.Sprintf("%s %+v %v", o.Kind, ans, err))
}

// check holds the invariants of the pools after every step.
func (w *world) check(t *rapid.T) {
	// The floor is never after the next deadline; asking for that sets it.
	floor := *w.c.FleetLink().DeadlineFloor()
	ns, ok := w.c.FleetLink().NextDeadline()
	if ok && floor > ns {
		t.Fatalf("deadline floor %d after the next deadline %d", floor, ns)
	}
	if after := *w.c.FleetLink().DeadlineFloor(); ok && after != ns || !ok && after != math.MaxInt64 {
		t.Fatalf("deadline floor %d once the next deadline (%d, %v) was asked", after, ns, ok)
	}
	// The next deadline is exact, however the checks of instances that
	// made contact since are kept: a restored copy, which files every check
	// at its instant, agrees.
	data, err := w.c.Snapshot()
	require.NoError(t, err)
	twin, err := cssm.Restore(data, stackwise.Catalog())
	require.NoError(t, err)
	tns, tok := twin.FleetLink().NextDeadline()
	if tns != ns || tok != ok {
		t.Fatalf("next deadline (%d, %v), restored copy's (%d, %v)", ns, ok, tns, tok)
	}
	// Balances kept up to date as demand changes equal those the restored
	// copy builds from scratch.
	for _, s := range propSAs {
		for _, v := range propVAs {
			mine, err := w.c.Balances(s, v)
			require.NoError(t, err)
			fresh, err := twin.Balances(s, v)
			require.NoError(t, err)
			require.Equal(t, fresh, mine, "%s/%s", s, v)
		}
	}
	for _, s := range propSAs {
		for _, v := range propVAs {
			rows, err := w.c.Licenses(s, v)
			require.NoError(t, err)
			insts, err := w.c.Instances(s, v)
			require.NoError(t, err)
			infos, err := w.c.VirtualAccounts(s)
			require.NoError(t, err)
			for _, info := range infos {
				if info.Name == v && info.Instances != len(insts) {
					t.Fatalf("%s/%s: counts %d instances, lists %d", s, v, info.Instances, len(insts))
				}
			}
			want := map[string]int64{}
			for _, i := range insts {
				if i.Consuming {
					for _, u := range i.Usage {
						want[u.Tag] += int64(u.Count)
					}
				}
			}
			for _, r := range rows {
				// Demand kept incrementally equals demand recomputed from
				// this VA's own instances: no account consumes another's.
				if r.InUse != want[r.Tag] {
					t.Fatalf("%s/%s %s: in use %d, instances ask %d", s, v, r.Tag, r.InUse, want[r.Tag])
				}
				delete(want, r.Tag)
				if r.Status == "In Compliance" && r.InUse-r.FromParent+r.Substitution+r.Available != r.Quantity {
					t.Fatalf("%s/%s %s: in use %d − from parent %d + lent %d + available %d ≠ quantity %d", s, v, r.Tag, r.InUse, r.FromParent, r.Substitution, r.Available, r.Quantity)
				}
				if r.Available < 0 {
					t.Fatalf("negative available: %+v", r)
				}
			}
			// Balances is the same state as Licenses, tag by tag.
			bals, err := w.c.Balances(s, v)
			require.NoError(t, err)
			require.Len(t, bals, len(rows))
			for _, r := range rows {
				i := slices.IndexFunc(bals, func(b cssm.Balance) bool { return b.Tag == r.Tag })
				require.GreaterOrEqual(t, i, 0, r.Tag)
				b := bals[i]
				if b.Supply != r.Quantity || b.Demand != r.InUse || b.FromParent != r.FromParent || b.Lent != r.Substitution ||
					(b.Shortfall > 0) != (r.Status == "Insufficient Licenses") {
					t.Fatalf("%s/%s: balance %+v, row %+v", s, v, b, r)
				}
			}
			require.True(t, slices.IsSortedFunc(bals, func(a, b cssm.Balance) int { return strings.Compare(a.Tag, b.Tag) }))
			for tag, n := range want {
				if n > 0 {
					t.Fatalf("%s/%s %s: instances ask %d, no row", s, v, tag, n)
				}
			}
			toks, err := w.c.Tokens(s, v)
			require.NoError(t, err)
			for _, tk := range toks {
				if tk.MaxUses > 0 && tk.Uses > tk.MaxUses {
					t.Fatalf("token used %d times, max %d", tk.Uses, tk.MaxUses)
				}
			}
		}
	}
}

func TestPropertyPoolsAndAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("a long property run (9 s under -race): CI runs it without -short")
	}
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t)
		for _, o := range rapid.SliceOfN(genCop(), 20, 80).Draw(t, "ops") {
			w.step(t, o)
			w.check(t)
		}
	})
}

// restore(snapshot) behaves exactly like the original under any further
// sequence of operations, and the round trip is byte-identical.
func TestPropertySnapshotRestore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t)
		for _, o := range rapid.SliceOfN(genCop(), 10, 40).Draw(t, "before") {
			w.step(t, o)
		}
		a, err := w.c.Snapshot()
		require.NoError(t, err)
		r, err := cssm.Restore(a, stackwise.Catalog())
		require.NoError(t, err)
		b, err := r.Snapshot()
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
		twin := &world{c: r, tokens: append([]string(nil), w.tokens...)}
		w.trace = nil
		for _, o := range rapid.SliceOfN(genCop(), 10, 40).Draw(t, "after") {
			w.step(t, o)
			twin.step(t, o)
		}
		require.Equal(t, w.trace, twin.trace)
		require.Equal(t, snap(t, w.c), snap(t, twin.c))
		require.Equal(t, w.c.Alerts("", true), twin.c.Alerts("", true))
	})
}
