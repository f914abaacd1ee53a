package cssm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// BenchmarkAuthorize: one authorization request against a virtual account
// holding n instances. The usage alternates between two counts, so every
// request changes the VA's demand and its balance is recomputed: the cost
// must not grow with n (demand is kept incrementally, not rescanned).
func BenchmarkAuthorize(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			c, err := cssm.New(t0, cssm.Config{Catalog: stackwise.Catalog(), Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			if err := c.CreateSmartAccount(t0, sa, ""); err != nil {
				b.Fatal(err)
			}
			if _, err := c.AddLicenses(t0, sa, "DEFAULT", na24, int64(n)*2, time.Time{}, time.Time{}); err != nil {
				b.Fatal(err)
			}
			tok, err := c.CreateToken(t0, sa, "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 365})
			if err != nil {
				b.Fatal(err)
			}
			usage := []license.Usage{{Tag: na24, Count: 1}}
			for i := 0; i < n; i++ {
				u := license.UDI{PID: "C9300-24P", SN: fmt.Sprintf("FOC%07d", i)}
				if _, err := c.Handle(t0, license.Register{ID: 1, UDI: u, Token: tok.Value}); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Handle(t0, license.Authorize{ID: 2, UDI: u, Usage: usage}); err != nil {
					b.Fatal(err)
				}
			}
			target := license.UDI{PID: "C9300-24P", SN: "FOC0000000"}
			alt := [2][]license.Usage{{{Tag: na24, Count: 2}}, usage}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ans, err := c.Handle(t0, license.Authorize{ID: 3, UDI: target, Usage: alt[i%2]})
				if err != nil {
					b.Fatal(err)
				}
				if !ans.(license.AuthorizeReply).AllInCompliance() {
					b.Fatal("out of compliance")
				}
			}
		})
	}
}

// BenchmarkRenewal: one device's monthly renewal (the same usage as last
// time) in a CSSM of 100,000 instances, answered through Handle (a message
// in an interface, looked up by UDI string, entitlements listed) and
// through the fleet's link (instance held, answer by value).
func BenchmarkRenewal(b *testing.B) {
	c, err := cssm.New(t0, cssm.Config{Catalog: stackwise.Catalog(), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.CreateSmartAccount(t0, sa, ""); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AddLicenses(t0, sa, "DEFAULT", na24, 200_000, time.Time{}, time.Time{}); err != nil {
		b.Fatal(err)
	}
	tok, err := c.CreateToken(t0, sa, "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 365})
	if err != nil {
		b.Fatal(err)
	}
	usage := []license.Usage{{Tag: na24, Count: 1}}
	var target license.UDI
	for i := 0; i < 100_000; i++ {
		target = license.UDI{PID: "C9300-24P", SN: fmt.Sprintf("FOC%07d", i)}
		if _, err := c.Handle(t0, license.Register{ID: 1, UDI: target, Token: tok.Value}); err != nil {
			b.Fatal(err)
		}
	}
	fast := c.FleetLink()
	link, err := fast.Link(target)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("way=handle", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ans, err := c.Handle(t0, license.Authorize{ID: 3, UDI: target, Usage: usage})
			if err != nil || !ans.(license.AuthorizeReply).AllInCompliance() {
				b.Fatal(ans, err)
			}
		}
	})
	b.Run("way=link", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			q, err := fast.Authorize(link, t0, usage)
			if err != nil || !q.InCompliance {
				b.Fatal(q, err)
			}
		}
	})
}
