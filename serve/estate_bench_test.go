package serve_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

// Sizes of the served-estate benchmark: the targets in docs/serve.md are
// for 200 switches and 50 concurrent sessions.
const (
	estateSwitches = 200
	estateSessions = 50
)

// estate builds a world of n C9300 stacks, sw001…, each with an admin.
func estate(b *testing.B, n int) *sim.World {
	b.Helper()
	w, err := sim.New(sim.Config{Start: scenario.Start, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.CSSM().CreateSmartAccount(scenario.Start, scenario.Account, "acme.com"); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		topo := scenario.Stack()
		topo.Name = fmt.Sprintf("sw%03d", i)
		for j := range topo.Switches {
			topo.Switches[j].SN = fmt.Sprintf("FOC%04dZ%03d", i, j)
		}
		if _, err := w.AddDevice(topo, nil); err != nil {
			b.Fatal(err)
		}
		err := w.Configure(topo.Name, "username", func(c *device.Config) error {
			c.NameServers = append(c.NameServers, device.NameServer{IP: netsim.DNSIP})
			c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco123"})
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return w
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// shellSession is an interactive session on one switch: a command is
// typed and its output read up to the next prompt.
type shellSession struct {
	in     io.Writer
	out    chan []byte
	prompt string
	buf    []byte
}

func openShell(b *testing.B, addr, host string) *shellSession {
	b.Helper()
	_, in, stdout := shellOn(b, addr, "admin", "cisco123", 1000, 511)
	s := &shellSession{in: in, out: make(chan []byte, 64), prompt: host + "#"}
	go func() {
		for {
			p := make([]byte, 32<<10)
			n, err := stdout.Read(p)
			if n > 0 {
				s.out <- p[:n]
			}
			if err != nil {
				close(s.out)
				return
			}
		}
	}()
	if err := s.run("terminal length 0"); err != nil {
		b.Fatal(err)
	}
	return s
}

// run types a command and waits for the prompt after its output.
func (s *shellSession) run(cmd string) error {
	s.buf = s.buf[:0]
	fmt.Fprintf(s.in, "%s\r", cmd)
	want := "\r\n" + s.prompt
	for !strings.HasSuffix(string(s.buf), want) {
		p, ok := <-s.out
		if !ok {
			return fmt.Errorf("session on %s closed", s.prompt)
		}
		s.buf = append(s.buf, p...)
	}
	return nil
}

// BenchmarkServedEstate serves 200 switches (SSH and HTTPS listeners) and
// runs 50 interactive sessions at once, on 50 different switches, each
// typing show commands back to back. It reports the latency of one command
// (typed to prompt back) at the median and the 99th percentile, and the
// heap per served switch (world, server and the open sessions).
func BenchmarkServedEstate(b *testing.B) {
	before := heap()
	w := estate(b, estateSwitches)
	r, err := runner.New(clock.New(), w, 1)
	if err != nil {
		b.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	dir := b.TempDir()
	cert, err := serve.LoadOrCreateCertificate(filepath.Join(dir, "c"), filepath.Join(dir, "k"), []string{"127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := serve.New(r, w, serve.Config{HostKey: key, Certificate: cert})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); r.Run(ctx) }()
	go func() { defer bg.Done(); srv.Serve(ctx) }()
	defer func() { cancel(); bg.Wait() }()
	addrs := srv.Addrs()
	shells := make([]*shellSession, estateSessions)
	for i := range shells {
		name := fmt.Sprintf("sw%03d", i*estateSwitches/estateSessions+1)
		shells[i] = openShell(b, addrs[name].SSH, name)
	}
	perSwitch := float64(heap()-before) / estateSwitches
	commands := []string{"show license summary", "show license status", "show version", "show clock"}
	per := b.N/estateSessions + 1
	lat := make([][]time.Duration, estateSessions)
	b.ResetTimer()
	var wg sync.WaitGroup
	for i, s := range shells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range per {
				t0 := time.Now()
				if err := s.run(commands[k%len(commands)]); err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(perSwitch/1024, "KiB/switch")
}

// BenchmarkEstateStart builds worlds of 100, 1,000 and 10,000 switches the
// way serve --estate does (boot, configure): start-up is linear in the
// number of switches.
func BenchmarkEstateStart(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("switches=%d", n), func(b *testing.B) {
			for b.Loop() {
				estate(b, n)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/switch")
		})
	}
}

// BenchmarkEstateCommand is what a served session costs the server per
// command, without the network: the world caught up to the present (one
// virtual second later), then `show version` on the next switch's
// console. Catching up runs only what is due, so the cost per command does
// not grow with the number of switches.
func BenchmarkEstateCommand(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("switches=%d", n), func(b *testing.B) {
			w := estate(b, n)
			names := w.Devices()
			cons := make([]*ios.Console, len(names))
			for i, name := range names {
				con, err := ios.NewConsole(w, name)
				if err != nil {
					b.Fatal(err)
				}
				con.Exec("enable")
				cons[i] = con
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := w.RunFor(time.Second); err != nil {
					b.Fatal(err)
				}
				if out := cons[i%len(cons)].Exec("show version"); !strings.Contains(out, "Cisco IOS XE Software") {
					b.Fatalf("show version: %q", out)
				}
				i++
			}
		})
	}
}
