package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/spf13/cobra"

	"github.com/slsim/slsim/classroom"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/lab"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

// The login a new served world gets, so that a fresh `slsim serve` can be
// reached at once: privilege 15, as netmiko scripts need. [model]
const (
	defaultUser   = "admin"
	defaultSecret = "cisco"
	// defaultSaveEvery is how often a served world is written to its state
	// file besides at shutdown. [model]
	defaultSaveEvery = time.Minute
	// maxPods bounds --pods. [model]
	maxPods = 200
)

type serveOptions struct {
	seed               uint64
	host               string
	sshPort, httpsPort int
	cssmPort, satPort  int
	loopback           bool
	speed              float64
	bootTime           time.Duration
	monitorAllow       []string
	snmpPort           int
	snmpOn             bool // --snmp-port-base was given, not -1
	state              string
	saveEvery          time.Duration
	user, secret       string
	pods               int
	scenario           string
	estate             string
	exercise           string             // --exercise: an ID or a file
	ex                 *exercise.Exercise // its exercise, once checked
	langName           string
	lang               exercise.Lang
	instructor         string // the class page's user and password
	instructorSecret   string
	console            bool
	errorsKey          string
	sshSet, httpsSet   bool
	passwordSet        bool // --password was given
	stdin              io.Reader
	stdout, stderr     io.Writer
	afterStart         func() // tests: called once everything listens
}

func newServeCmd() *cobra.Command {
	o := serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the lab's switches over SSH and RESTCONF in real time (Ctrl-C saves and stops)",
		Long: "serve runs lab worlds (a Catalyst 9300 stack, sw1, and the Cisco cloud; one world per pod) in real\n" +
			"time, or faster with --speed, and answers SSH and RESTCONF (HTTPS) for each switch. Lines typed on\n" +
			"its standard input are the lab's controls on the served world (lab help). The worlds, the SSH host\n" +
			"key and the HTTPS certificate live in --state: a stopped server starts again where it was.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.sshSet = cmd.Flags().Changed("ssh-port-base")
			o.httpsSet = cmd.Flags().Changed("https-port-base")
			o.snmpOn = cmd.Flags().Changed("snmp-port-base") && o.snmpPort >= 0
			o.passwordSet = cmd.Flags().Changed("password")
			o.stdin, o.stdout, o.stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runServe(ctx, o)
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 1, "seed of a new world (pod N takes seed+N-1)")
	f.StringVar(&o.host, "host", "127.0.0.1", "address to listen on")
	f.IntVar(&o.sshPort, "ssh-port-base", 2222, "SSH port of the first switch; the others take the next ports (0: any free port)")
	f.IntVar(&o.httpsPort, "https-port-base", 8443, "HTTPS (RESTCONF) port of the first switch, numbered the same way")
	f.IntVar(&o.cssmPort, "cssm-port-base", 9443, "HTTPS port of the first pod's CSSM REST API; further pods take the next ports (-1: none)")
	f.IntVar(&o.satPort, "satellite-port-base", 9543, "HTTPS port of the first satellite's API, counted across pods")
	f.BoolVar(&o.loopback, "loopback", false, "give each switch its own address 127.0.0.2, .3, … with SSH on 22 and HTTPS on 443 (unless the port flags say otherwise)")
	f.Float64Var(&o.speed, "speed", 1, "virtual seconds per real second (1440: a day a minute)")
	f.DurationVar(&o.bootTime, "boot-time", serve.DefaultBootTime, "virtual time a switch reloaded over SSH takes to boot, refusing connections")
	f.IntVar(&o.snmpPort, "snmp-port-base", -1, "UDP port of the first switch's SNMP agent, numbered as the SSH ports (-1: no SNMP; with --loopback, 161 needs the privilege to bind it)")
	f.StringSliceVar(&o.monitorAllow, "monitor-allow", []string{"127.0.0.0/8"}, "networks (CIDR) the switches' syslog may really be sent to; other logging hosts are only simulated")
	f.StringVar(&o.state, "state", ".slsim", "directory holding the worlds, the SSH host key and the HTTPS certificate")
	f.DurationVar(&o.saveEvery, "save-every", defaultSaveEvery, "how often the worlds are saved besides at shutdown")
	f.StringVar(&o.user, "user", defaultUser, "user of a new world (privilege 15)")
	f.StringVar(&o.secret, "password", defaultSecret, "that user's secret")
	f.IntVar(&o.pods, "pods", 1, "number of worlds, one per trainee, each with its own switch and CSSM")
	f.StringVar(&o.scenario, "scenario", "", "start new worlds broken as a field-guide scenario (slsim scenario list)")
	f.StringVar(&o.estate, "estate", "", "start new worlds with the devices and pool of an estate file (slsim count's format) instead of the lab")
	f.StringVar(&o.exercise, "exercise", "", "start new worlds on an exercise (slsim lab, lab exercise list; or an exercise file), checked and scored per pod")
	f.StringVar(&o.langName, "lang", "", "language of the exercises on the operator console: en or ja (default: the locale's)")
	f.StringVar(&o.instructor, "instructor", "instructor", "user of the class page (/class on the CSSM's HTTPS port) with --exercise")
	f.StringVar(&o.instructorSecret, "instructor-password", "", "its password (default: made once and kept in --state as instructor.secret)")
	f.BoolVar(&o.console, "console", true, "read lab controls from standard input")
	f.StringVar(&o.errorsKey, "restconf-errors", "ietf-restconf:errors", `member holding RESTCONF error bodies ("errors" for the unqualified form)`)
	return cmd
}

// pod is one served world.
type pod struct {
	name   string
	path   string // its world file
	w      *sim.World
	r      *runner.Runner
	srv    *serve.Server
	token  string // a token of the lab's virtual account, for the operator
	client cssm.APIClient
	dev    string // the device the operator console is on
	fresh  bool
	run    *exercise.Run // the exercise on the pod's world (nil: none); used under the runner
	mu     sync.Mutex    // one save at a time
}

func (o serveOptions) check() error {
	switch {
	case o.speed <= 0:
		return fmt.Errorf("serve: --speed %v: must be positive", o.speed)
	case o.snmpPort > 65535 || o.snmpPort < -1:
		return fmt.Errorf("serve: --snmp-port-base %d: out of range", o.snmpPort)
	case o.bootTime < 0:
		return fmt.Errorf("serve: --boot-time %v: must not be negative", o.bootTime)
	case o.pods < 1 || o.pods > maxPods:
		return fmt.Errorf("serve: --pods %d: must be 1 to %d", o.pods, maxPods)
	case o.saveEvery < time.Second:
		return fmt.Errorf("serve: --save-every %v: must be at least 1s", o.saveEvery)
	case o.errorsKey != "" && o.errorsKey != "errors" && o.errorsKey != "ietf-restconf:errors":
		return fmt.Errorf(`serve: --restconf-errors %q: must be "errors" or "ietf-restconf:errors"`, o.errorsKey)
	}
	if (o.scenario != "") && (o.estate != "") || (o.scenario != "" || o.estate != "") && o.exercise != "" {
		return errors.New("serve: --scenario, --estate and --exercise: choose one")
	}
	if !o.passwordSet && o.secret == defaultSecret && !loopbackHost(o.host) {
		return fmt.Errorf("serve: --host %s reaches beyond this machine, and the password would be the documented default: give --password", o.host)
	}
	if o.scenario != "" {
		if _, ok := scenario.Find(o.scenario); !ok {
			return fmt.Errorf("serve: --scenario %q: no such scenario (slsim scenario list)", o.scenario)
		}
	}
	return nil
}

// loopbackHost reports whether host is this machine only: a loopback
// address or localhost.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runServe(ctx context.Context, o serveOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	var err error
	if o.lang, err = pickLang(o.langName); err != nil {
		return fmt.Errorf("serve: --lang: %w", err)
	}
	if o.exercise != "" {
		if o.ex, err = exercise.Find(o.exercise); err != nil {
			return fmt.Errorf("serve: --exercise: %w", err)
		}
	}
	if o.stdout == nil {
		o.stdout = io.Discard
	}
	if o.stderr == nil {
		o.stderr = io.Discard
	}
	if o.loopback {
		if !o.sshSet {
			o.sshPort = 22
		}
		if !o.httpsSet {
			o.httpsPort = 443
		}
	}
	if err := os.MkdirAll(o.state, 0o700); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// The state holds tokens, API secrets and keys: its directory is the
	// owner's alone, even one that existed before.
	if err := os.Chmod(o.state, 0o700); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := sweep(o.state, o.stderr); err != nil {
		return err
	}
	var allow []netip.Prefix
	for _, c := range o.monitorAllow {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return fmt.Errorf("serve: --monitor-allow %q: want a network such as 127.0.0.0/8", c)
		}
		allow = append(allow, p.Masked())
	}
	key, err := serve.LoadOrCreateHostKey(filepath.Join(o.state, "ssh_host_ed25519_key"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cert, err := serve.LoadOrCreateCertificate(filepath.Join(o.state, "https.crt"), filepath.Join(o.state, "https.key"),
		append([]string{"127.0.0.1", "localhost", o.host}, ciscoHosts...))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var page *classroom.Page
	cls := &podClass{o: o}
	if o.ex != nil {
		secret, err := instructorSecret(o)
		if err != nil {
			return err
		}
		page = &classroom.Page{User: o.instructor, Password: secret, Class: cls, AuthDelay: serve.DefaultAuthDelay}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var pods []*pod
	index, sats := 0, 0
	for k := 1; k <= o.pods; k++ {
		p, err := openPod(o, k)
		if err != nil {
			return err
		}
		if p.r, err = runner.New(clock.New(), p.w, o.speed); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		cssmPort, satPort := o.cssmPort, o.satPort
		if cssmPort > 0 {
			cssmPort += k - 1
		}
		if satPort > 0 {
			satPort += sats
		}
		p.srv, err = serve.New(p.r, p.w, serve.Config{Host: o.host, BasePort: o.sshPort, HTTPSBasePort: o.httpsPort, FirstIndex: index,
			CSSMPort: cssmPort, SatellitePort: satPort, HostKey: key, Certificate: cert, Loopback: o.loopback, ErrorsKey: o.errorsKey, BootTime: o.bootTime, MonitorAllow: allow,
			SNMP: o.snmpOn, SNMPBasePort: max(0, o.snmpPort), Class: classHandler(page),
			OnCommand: func(_, line string) { // under the runner
				if p.run != nil {
					p.run.Typed(line)
					p.run.Observe(p.w)
				}
			}})
		if err != nil {
			for _, q := range pods {
				q.srv.Close()
			}
			return err
		}
		index += len(p.w.Devices())
		sats += len(p.srv.CSSMAddrs().Satellites)
		pods = append(pods, p)
	}
	cls.pods = pods
	for _, p := range pods {
		printPod(o, p)
	}
	if page != nil {
		if c := pods[0].srv.CSSMAddrs(); c.API != "" {
			fmt.Fprintf(o.stdout, "class https://%s/class user %s password %s\n", c.API, page.User, page.Password)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(pods))
	for _, p := range pods {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := p.r.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				fmt.Fprintf(o.stderr, "serve: %s: the world stopped: %v\n", p.name, err)
			}
		}()
		go func() {
			defer wg.Done()
			errs <- p.srv.Serve(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(o.saveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, p := range pods {
					if err := p.save(); err != nil {
						fmt.Fprintf(o.stderr, "serve: %v\n", err)
					}
				}
			}
		}
	}()
	if o.console {
		go operatorConsole(ctx, cancel, o, pods)
	}
	if o.afterStart != nil {
		o.afterStart()
	}
	<-ctx.Done()
	wg.Wait()
	close(errs)
	var first error
	for err := range errs {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, p := range pods {
		if err := p.save(); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "world saved to %s\n", p.path)
	}
	return first
}

func printPod(o serveOptions, p *pod) {
	prefix := ""
	if o.pods > 1 {
		prefix = p.name + " "
	}
	if p.fresh {
		fmt.Fprintf(o.stdout, "%snew world in %s; log in as %s\n", prefix, p.path, o.user)
	} else {
		fmt.Fprintf(o.stdout, "%sworld loaded from %s\n", prefix, p.path)
	}
	addrs := p.srv.Addrs()
	names := make([]string, 0, len(addrs))
	for n := range addrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if addrs[n].SNMP != "" {
			fmt.Fprintf(o.stdout, "%s%s ssh %s https %s snmp %s\n", prefix, n, addrs[n].SSH, addrs[n].HTTPS, addrs[n].SNMP)
		} else {
			fmt.Fprintf(o.stdout, "%s%s ssh %s https %s\n", prefix, n, addrs[n].SSH, addrs[n].HTTPS)
		}
	}
	if p.token != "" {
		fmt.Fprintf(o.stdout, "%stoken %s\n", prefix, p.token)
	}
	if p.run != nil {
		ex := p.run.Exercise()
		fmt.Fprintf(o.stdout, "%sexercise %s: %s\n", prefix, ex.ID, ex.Title.In(o.lang))
	}
	c := p.srv.CSSMAddrs()
	if c.API != "" {
		fmt.Fprintf(o.stdout, "%scssm https://%s client_id %s client_secret %s\n", prefix, c.API, p.client.ID, p.client.Secret)
	}
	for _, n := range slices.Sorted(maps.Keys(c.Satellites)) {
		fmt.Fprintf(o.stdout, "%ssatellite %s https://%s\n", prefix, n, c.Satellites[n])
	}
}

// save writes the pod's world to its file, atomically.
func (p *pod) save() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var data []byte
	var err error
	var run []byte
	p.r.View(func() {
		if data, err = p.w.Save(); err == nil && p.run != nil {
			run, err = json.Marshal(p.run.State())
		}
	})
	if err != nil {
		return fmt.Errorf("serve: saving %s: %w", p.name, err)
	}
	if err := atomicfile.Write(p.path, data, 0o600); err != nil { // it holds tokens and API secrets
		return fmt.Errorf("serve: saving %s: %w", p.name, err)
	}
	if run != nil {
		if err := atomicfile.Write(p.exercisePath(), run, 0o600); err != nil {
			return fmt.Errorf("serve: saving %s: %w", p.name, err)
		}
	}
	return nil
}

// sweep removes the temporary files a crash in the middle of a save left
// in a state directory.
func sweep(dir string, log io.Writer) error {
	n, err := atomicfile.Sweep(dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(log, "removed %d temporary files that an interrupted save left in %s\n", n, dir)
	}
	return nil
}

// openPod loads pod k's saved world, or makes a new one (the lab, or a
// scenario's broken lab) with its login.
func openPod(o serveOptions, k int) (*pod, error) {
	p := &pod{name: "pod" + strconv.Itoa(k), path: filepath.Join(o.state, "world.json")}
	if o.pods > 1 {
		p.path = filepath.Join(o.state, p.name, "world.json")
		if err := os.MkdirAll(filepath.Dir(p.path), 0o700); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if err := sweep(filepath.Dir(p.path), o.stderr); err != nil {
			return nil, err
		}
	}
	data, err := atomicfile.Read(p.path, atomicfile.MaxRead)
	if err == nil {
		if p.w, err = sim.Load(data); err != nil {
			return nil, fmt.Errorf("serve: %s: %w", p.path, err)
		}
		if p.w.DeviceCount() == 0 {
			return nil, fmt.Errorf("serve: %s: the world has no switch to serve", p.path)
		}
		p.dev = p.w.Devices()[0]
		if toks, err := p.w.CSSM().Tokens(scenario.Account, scenario.VA); err == nil {
			for _, t := range toks {
				if t.Status == "Active" {
					p.token = t.Value
				}
			}
		}
		if err := p.cssmAccess(o); err != nil {
			return nil, err
		}
		if err := p.resumeExercise(); err != nil {
			return nil, err
		}
		if p.run != nil {
			p.dev = p.run.Device()
		}
		return p, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("serve: %w", err)
	}
	l, err := newWorld(o, k)
	if err != nil {
		return nil, err
	}
	p.w, p.dev, p.token, p.fresh = l.World, l.Device, l.Token, true
	if err := p.cssmAccess(o); err != nil {
		return nil, err
	}
	if o.ex != nil {
		if p.run, err = exercise.Start(o.ex, p.w, p.dev, time.Now()); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	}
	return p, nil
}

// newWorld makes pod k's new world: the lab, a scenario's broken lab, an
// estate's or an exercise's starting world, with the server's user on
// every switch.
func newWorld(o serveOptions, k int) (*scenario.Lab, error) {
	var l *scenario.Lab
	var err error
	seed := o.seed + uint64(k-1) // each pod its own tokens and randomness
	switch {
	case o.scenario != "":
		sc, _ := scenario.Find(o.scenario)
		l, err = sc.Break(seed)
	case o.estate != "":
		l, err = estateLab(o.estate, seed)
	case o.ex != nil:
		l, _, err = lab.ExerciseLab(o.ex, seed)
	default:
		l, err = scenario.NewLab(seed)
	}
	if err != nil {
		return nil, err
	}
	for _, n := range l.World.Devices() {
		err := l.World.Configure(n, "username", func(c *device.Config) error {
			if c.User(o.user) == nil {
				c.Users = append(c.Users, device.User{Name: o.user, Privilege: 15, Secret: o.secret})
			}
			c.HTTPSecureServer, c.RESTCONF = true, true
			return nil
		})
		if err == nil {
			err = l.World.WriteMemory(n)
		}
		if err != nil {
			return nil, fmt.Errorf("serve: --user %q: %w", o.user, err)
		}
	}
	return l, nil
}

// resumeExercise goes on with the exercise run saved beside a pod's
// world, when there is one.
func (p *pod) resumeExercise() error {
	data, err := atomicfile.Read(p.exercisePath(), atomicfile.MaxRead)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var st exercise.State
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("serve: %s: %w", p.exercisePath(), err)
	}
	ex, err := exercise.Find(st.Exercise)
	if err != nil {
		return fmt.Errorf("serve: %s: %w", p.exercisePath(), err)
	}
	if p.run, err = exercise.Resume(ex, p.w, st); err != nil {
		return fmt.Errorf("serve: %s: %w", p.exercisePath(), err)
	}
	return nil
}

// exercisePath is where the pod's exercise run is saved, beside its world.
func (p *pod) exercisePath() string { return filepath.Join(filepath.Dir(p.path), "exercise.json") }

// ciscoHosts are the API hosts clients have written in: the certificate
// names them, so that a client pointed at slsim (hosts file, curl
// --resolve) and given the certificate as its CA verifies it.
var ciscoHosts = []string{"cloudsso.cisco.com", "apx.cisco.com", "swapi.cisco.com", "apmx.cisco.com"}

// cssmAccess gives the pod's CSSM the server's user (for the portal and
// the API's password grant) and an API client, made once and kept in the
// world.
func (p *pod) cssmAccess(o serveOptions) error {
	c, now := p.w.CSSM(), p.w.Now()
	if _, ok := c.SignIn(o.user, o.secret); !ok {
		if err := c.AddUser(now, scenario.Account, o.user, o.secret); err != nil {
			return fmt.Errorf("serve: CSSM user %q: %w", o.user, err)
		}
	}
	if cls := c.APIClients(scenario.Account); len(cls) > 0 {
		p.client = cls[0]
		return nil
	}
	// A new state's API credentials come from crypto/rand, not from the
	// world's seed: no two classrooms share them, and reading the docs
	// does not give them away.
	cl, err := c.CreateAPIClientFrom(now, scenario.Account, rand.Reader)
	if err != nil {
		return fmt.Errorf("serve: CSSM API client: %w", err)
	}
	p.client = cl
	return nil
}

// operatorConsole reads lab controls (and IOS commands, on the console's
// device) from standard input and runs them on a pod's world through its
// runner; "pod <n>" changes pods, "quit" stops the server. End of input
// leaves the server running.
func operatorConsole(ctx context.Context, stop func(), o serveOptions, pods []*pod) {
	sessions := make([]*lab.Session, len(pods))
	for i, p := range pods {
		var err error
		p.r.Do(func(time.Time) error {
			if sessions[i], err = lab.Operator(p.w, p.dev, p.token); err == nil {
				sessions[i].Exec("enable")
				sessions[i].SetLanguage(o.lang)
				sessions[i].SetRealClock(time.Now)
				sessions[i].AttachRun(p.run)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(o.stderr, "serve: operator console: %v\n", err)
			return
		}
		sessions[i].Console().SetTerminal(0, 511)
	}
	cur := 0
	sc := bufio.NewScanner(o.stdin)
	sc.Buffer(make([]byte, 4096), serve.MaxLine)
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case f[0] == "quit" || f[0] == "stop":
			stop()
			return
		case f[0] == "class":
			io.WriteString(o.stdout, classCmd(f[1:], o, pods))
			continue
		case f[0] == "pod":
			n, err := strconv.Atoi(strings.TrimPrefix(strings.Join(f[1:], ""), "pod"))
			if len(f) != 2 || err != nil || n < 1 || n > len(pods) {
				fmt.Fprintf(o.stdout, "%% pod <1-%d>\n", len(pods))
				continue
			}
			cur = n - 1
			fmt.Fprintf(o.stdout, "%s\n", pods[cur].name)
			continue
		}
		var out string
		pods[cur].r.Do(func(time.Time) error {
			sessions[cur].AttachRun(pods[cur].run) // a reset pod has a new run and token
			sessions[cur].Console().SetVar("TOKEN", pods[cur].token)
			out = sessions[cur].Exec(line)
			return nil
		})
		io.WriteString(o.stdout, out)
		if lag := pods[cur].r.Lag(); lag > MaxQuietLag {
			fmt.Fprintf(o.stdout, "%% %s: the world is %s of virtual time behind --speed %g: it runs every timer, late\n",
				pods[cur].name, lag.Round(time.Second), o.speed)
		}
	}
}

// classHandler is the class page as serve.Config takes it: nil without
// one.
func classHandler(p *classroom.Page) http.Handler {
	if p == nil {
		return nil
	}
	return p
}

// instructorSecret is --instructor-password, or the one made once and
// kept in the state directory.
func instructorSecret(o serveOptions) (string, error) {
	if o.instructorSecret != "" {
		return o.instructorSecret, nil
	}
	path := filepath.Join(o.state, "instructor.secret")
	b, err := atomicfile.Read(path, 1024)
	if err == nil && len(strings.TrimSpace(string(b))) >= 8 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("serve: %w", err)
	}
	raw := make([]byte, 9)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("serve: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(o.state, 0o700); err != nil {
		return "", fmt.Errorf("serve: %w", err)
	}
	if err := atomicfile.Write(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("serve: %w", err)
	}
	return secret, nil
}

// podClass is the served pods as the class page sees them.
type podClass struct {
	o    serveOptions
	pods []*pod
}

func (c *podClass) pod(name string) (*pod, error) {
	for _, p := range c.pods {
		if p.name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w %q", classroom.ErrNoPod, name)
}

// Entries is every pod's exercise, judged now.
func (c *podClass) Entries() []exercise.Entry { return class(c.o, c.pods) }

// Hint records pod's next hint and sends it to the sessions on its switch.
func (c *podClass) Hint(name string) (string, error) {
	p, err := c.pod(name)
	if err != nil {
		return "", err
	}
	var h, dev string
	err = p.r.Do(func(now time.Time) error {
		if p.run == nil {
			return errors.New("no exercise on " + name)
		}
		dev = p.run.Device()
		h, err = p.run.Hint(now, c.o.lang)
		return err
	})
	if err != nil {
		return "", err
	}
	n := p.srv.Send(dev, "the instructor", h)
	return fmt.Sprintf("%s (sent to %d session(s) on %s)", h, n, dev), nil
}

// Reset starts pod's exercise over on a new world, in place: the server
// and its sessions go on with it.
func (c *podClass) Reset(name string) error {
	p, err := c.pod(name)
	if err != nil {
		return err
	}
	if c.o.ex == nil {
		return errors.New("no exercise to start over")
	}
	k, _ := strconv.Atoi(strings.TrimPrefix(name, "pod"))
	l, err := newWorld(c.o, max(k, 1))
	if err != nil {
		return err
	}
	err = p.r.Replace(func() error {
		p.w.Reset(l.World)
		p.dev, p.token = l.Device, l.Token
		if err := p.cssmAccess(c.o); err != nil {
			return err
		}
		run, err := exercise.Start(c.o.ex, p.w, l.Device, time.Now())
		p.run = run
		return err
	})
	if err != nil {
		return fmt.Errorf("reset %s: %w", name, err)
	}
	p.r.View(func() { printPod(c.o, p) }) // its new token and API credentials
	return nil
}

// class is each pod's exercise score, judged now (a pod without an
// exercise is left out).
func class(o serveOptions, pods []*pod) []exercise.Entry {
	var out []exercise.Entry
	for _, p := range pods {
		p.r.Do(func(now time.Time) error {
			if p.run != nil {
				real := time.Now()
				p.run.Judge(p.w, real, o.lang)
				out = append(out, exercise.Entry{Pod: p.name, Score: p.run.Score(now, real)})
			}
			return nil
		})
	}
	return out
}

// classCmd is the operator console's `class` (the table of every pod's
// exercise) and `class export FILE` (.csv or .json).
func classCmd(f []string, o serveOptions, pods []*pod) string {
	entries := class(o, pods)
	switch {
	case len(f) == 0:
		if entries == nil {
			return "% no exercise is running: start slsim serve with --exercise <ID>\n"
		}
		var b strings.Builder
		exercise.WriteTable(&b, entries)
		return b.String()
	case len(f) == 2 && f[0] == "export":
		var b bytes.Buffer
		var err error
		switch strings.ToLower(filepath.Ext(f[1])) {
		case ".csv":
			err = exercise.WriteCSV(&b, entries)
		case ".json":
			err = exercise.WriteJSON(&b, entries)
		default:
			return "% class export <file.csv|file.json>\n"
		}
		if err == nil {
			err = atomicfile.Write(f[1], b.Bytes(), 0o644)
		}
		if err != nil {
			return "% class export: " + err.Error() + "\n"
		}
		return fmt.Sprintf("%d pods written to %s\n", len(entries), f[1])
	}
	return "% class | class export <file.csv|file.json>\n"
}

// MaxQuietLag is how far behind its speed a world may be before the
// operator console says so after a command. [model]
const MaxQuietLag = time.Minute

// estateLab builds a lab from an estate file.
func estateLab(path string, seed uint64) (*scenario.Lab, error) {
	f, err := atomicfile.Open(path, atomicfile.MaxRead)
	if err != nil {
		return nil, fmt.Errorf("--estate: %w", err)
	}
	defer f.Close()
	l, err := scenario.NewEstate(seed, f)
	if err != nil {
		return nil, fmt.Errorf("--estate %s: %w", path, err)
	}
	return l, nil
}
