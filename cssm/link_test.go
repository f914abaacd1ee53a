package cssm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/internal/cssmlink"
	"github.com/slsim/slsim/license"
)

// quickOf is the part of an answer a link returns.
func quickOf(ans license.Answer) cssmlink.Quick {
	switch x := ans.(type) {
	case license.Failure:
		return cssmlink.Quick{Class: x.Class}
	case license.RegisterReply:
		return cssmlink.Quick{At: x.CertStart}
	case license.RenewIDReply:
		return cssmlink.Quick{At: x.CertStart}
	case license.AuthorizeReply:
		return cssmlink.Quick{At: x.Time, InCompliance: x.AllInCompliance()}
	}
	return cssmlink.Quick{}
}

// TestLinkAnswersAsHandle runs the same random script on two CSSMs, one
// answering devices through Handle and one through the fleet's links
// (internal/cssmlink): every answer,
// the final state (snapshot) and the alerts must be the same. Requests
// come at the CSSM's time or later (a request moves it on, as a fleet's
// do, when nothing else is due before), or too early (refused); a device
// often asks again for what it asked last; the cloud is busy at times.
func TestLinkAnswersAsHandle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, twin := newWorld(t), newWorld(t)
		fast := twin.c.FleetLink()
		links := map[string]cssmlink.Link{}
		asked := map[string][]license.Usage{} // by SN: the usage last asked for
		for _, o := range rapid.SliceOfN(genCop(), 20, 80).Draw(t, "ops") {
			u := license.UDI{PID: "C9500-32C", SN: o.SN}
			l, ok := links[o.SN]
			if !ok {
				var err error
				l, err = fast.Link(u)
				require.NoError(t, err)
				links[o.SN] = l
			}
			now := w.c.Now()
			switch late := rapid.SampledFrom([]time.Duration{0, 0, time.Minute, time.Hour, cssm.Day, 40 * cssm.Day, -1, -time.Hour, 1}).Draw(t, "late"); {
			case late == 1 && !w.c.NextDeadline().IsZero(): // exactly when something is due
				now = w.c.NextDeadline()
			case late != 1:
				now = now.Add(late)
			}
			var msg license.Message
			var got cssmlink.Quick
			var err error
			switch o.Kind {
			case "register":
				tok := w.tokens[o.Tok%len(w.tokens)]
				msg = license.Register{ID: 1, UDI: u, Token: tok, Force: o.Force}
				got, err = fast.Register(l, now, 1, "", tok, o.Force)
			case "authorize":
				usage := o.Usage
				if last, ok := asked[o.SN]; ok && rapid.Bool().Draw(t, "again") {
					usage = last // a renewal: the same slice again, as a fleet's devices ask
				}
				asked[o.SN] = usage
				msg = license.Authorize{ID: 2, UDI: u, Usage: usage}
				got, err = fast.Authorize(l, now, usage)
			case "renew":
				msg = license.RenewID{ID: 3, UDI: u}
				got, err = fast.RenewID(l, now, 3)
			case "token": // and, at times, the cloud starts or stops answering "busy"
				if busy := rapid.IntRange(0, 2).Draw(t, "busy"); busy < 2 {
					require.NoError(t, w.c.SetBusy(w.c.Now(), busy == 1))
					require.NoError(t, twin.c.SetBusy(twin.c.Now(), busy == 1))
				}
				w.step(t, o)
				twin.step(t, o)
				continue
			default:
				w.step(t, o)
				twin.step(t, o)
				continue
			}
			ans, herr := w.c.Handle(now, msg)
			if (err != nil) != (herr != nil) {
				t.Fatalf("%s: Link error %v, Handle error %v", o.Kind, err, herr)
			}
			if want := quickOf(ans); herr == nil && got != want {
				t.Fatalf("%s: Link %+v, Handle %+v", o.Kind, got, want)
			}
		}
		require.Equal(t, snap(t, w.c), snap(t, twin.c))
		require.Equal(t, w.c.Alerts("", true), twin.c.Alerts("", true))
	})
}
