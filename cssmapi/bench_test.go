package cssmapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/cssmapi"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// BenchmarkUsageListing measures the license usage listing (POST
// …/licenses, 100 rows a page) of an account whose virtual account holds
// 10,000 product instances, with 8 clients at once over TLS on loopback:
// requests per second and the 99th percentile of one request.
func BenchmarkUsageListing(b *testing.B) {
	t0 := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	c, err := cssm.New(t0, cssm.Config{Catalog: stackwise.Catalog(), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(c.CreateSmartAccount(t0, "ACME", "acme.com"))
	must(c.CreateVirtualAccount(t0, "ACME", "Campus", ""))
	for _, e := range stackwise.Entitlements() {
		_, err := c.AddLicenses(t0, "ACME", "Campus", e.Tag, 5000, time.Time{}, time.Time{})
		must(err)
	}
	tok, err := c.CreateToken(t0, "ACME", "Campus", cssm.TokenOptions{ExpiresAfterDays: 365, MaxUses: 0})
	must(err)
	tags := []string{"C9300-24 Network Advantage", "C9300-48 Network Advantage", "C9300-24 DNA Advantage", "C9300-48 DNA Advantage"}
	for i := range 10000 {
		udi := license.UDI{PID: "C9300-24P", SN: fmt.Sprintf("FOC%08d", i)}
		_, err := c.Handle(t0, license.Register{ID: uint64(2 * i), UDI: udi, Token: tok.Value})
		must(err)
		_, err = c.Handle(t0, license.Authorize{ID: uint64(2*i + 1), UDI: udi, Usage: []license.Usage{{Tag: tags[i%4], Count: 1 + i%3}}})
		must(err)
	}
	cl, err := c.CreateAPIClient(t0, "ACME")
	must(err)
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(&cssmapi.Server{AuthDelay: -1, Access: func(f func(c *cssm.CSSM, now time.Time) error) error {
		mu.Lock()
		defer mu.Unlock()
		return f(c, t0)
	}})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // connections cut at the end
	srv.StartTLS()
	defer srv.Close()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cl.ID}, "client_secret": {cl.Secret}}
	resp, err := srv.Client().PostForm(srv.URL+cssmapi.TokenPath, form)
	must(err)
	var tokAns struct {
		AccessToken string `json:"access_token"`
	}
	must(json.Unmarshal([]byte(readAll(resp)), &tokAns))
	bearer := tokAns.AccessToken

	const clients = 8
	lat := make([][]time.Duration, clients)
	per := b.N/clients + 1
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for k := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				req, _ := http.NewRequest("POST", srv.URL+cssmapi.BasePath+"v1/accounts/acme.com/licenses",
					strings.NewReader(`{"virtualAccounts": ["Campus"], "limit": 100, "offset": 0}`))
				req.Header.Set("Authorization", "Bearer "+bearer)
				t := time.Now()
				resp, err := srv.Client().Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				body := readAll(resp)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"totalRecords":`) {
					b.Errorf("%d %s", resp.StatusCode, body)
					return
				}
				lat[k] = append(lat[k], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}
