// Package lab is the training lab: an IOS console (package ios) on a
// world, plus the lab's own controls — lines starting with "lab" — to move
// virtual time, act on CSSM and satellites, inject faults, switch devices,
// load the field guide's scenarios, and save and load the lab. A Session
// runs the same way from a keyboard (slsim lab) and from a script (slsim run).
package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// Session is one lab session.
type Session struct {
	con  *ios.Console
	seed uint64
	// fixed: the world belongs to someone else (Operator); controls that
	// would replace it are refused.
	fixed bool
	// run is the exercise on this world (lab exercise start, or a served
	// pod's); lang the language of its texts; realNow the wall clock, when
	// the program gives one.
	run      *exercise.Run
	observer bool // the run is a trainee's elsewhere: lines here are not counted
	lang     exercise.Lang
	realNow  func() time.Time
}

// New opens a session on the healthy lab (scenario.NewLab): a switch sw1,
// not yet registered, and a token in $TOKEN.
func New(seed uint64) (*Session, error) {
	l, err := scenario.NewLab(seed)
	if err != nil {
		return nil, err
	}
	return Attach(l, seed)
}

// Attach opens a session on a lab built elsewhere (scenario.NewEstate, a
// scenario's Break), on its device, with its token in $TOKEN.
func Attach(l *scenario.Lab, seed uint64) (*Session, error) {
	con, err := ios.NewConsole(l.World, l.Device)
	if err != nil {
		return nil, err
	}
	con.SetVar("TOKEN", l.Token)
	return &Session{con: con, seed: seed}, nil
}

// Operator opens a session on a world that something else runs — a world
// served on the network — with its console on device and token in $TOKEN.
// The controls act on that world; the ones that would replace it (lab
// scenario <ID>, lab load) are refused.
func Operator(w *sim.World, device, token string) (*Session, error) {
	con, err := ios.NewConsole(w, device)
	if err != nil {
		return nil, err
	}
	con.SetVar("TOKEN", token)
	return &Session{con: con, fixed: true}, nil
}

// errFixed refuses a control that would replace an Operator's world.
var errFixed = errors.New("this world is served and cannot be replaced here; start slsim serve with --scenario, or stop it and use slsim lab")

// Prompt is the prompt for the next line.
func (s *Session) Prompt() string { return s.con.Prompt() }

// Console is the session's IOS console.
func (s *Session) Console() *ios.Console { return s.con }

// Exec runs one line: a lab control or an IOS command.
func (s *Session) Exec(line string) string {
	f := strings.Fields(line)
	if s.run != nil && !s.observer && !s.con.Pending() && !(len(f) > 1 && strings.EqualFold(f[0], "lab") && strings.EqualFold(f[1], "exercise")) {
		s.run.Typed(line) // not an answer to a question: that may be a password
	}
	var out string
	if len(f) > 0 && strings.EqualFold(f[0], "lab") && !s.con.Pending() {
		var err error
		out, err = s.lab(f[1:])
		if err != nil {
			out += "% lab: " + err.Error() + "\n"
		}
		out += s.con.Logs()
	} else {
		out = s.con.Exec(line)
	}
	if s.run != nil {
		s.run.Observe(s.world())
	}
	return out
}

// Transcript runs lines and returns the session as a console shows it:
// each prompt and line, then what it printed.
func (s *Session) Transcript(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if s.Closed() {
			break
		}
		b.WriteString(s.Prompt() + l + "\n")
		b.WriteString(s.Exec(l))
	}
	return b.String()
}

// setConsole moves the session to a new console, keeping the terminal's
// length and width.
func (s *Session) setConsole(con *ios.Console) {
	old := s.con
	s.con = con
	s.keepTerminal(old)
}

// keepTerminal gives the session's console the screen of old.
func (s *Session) keepTerminal(old *ios.Console) {
	if old != nil {
		s.con.SetTerminal(old.Terminal())
	}
}

// Closed reports whether the session ended (`exit` or `logout` at the EXEC
// prompt).
func (s *Session) Closed() bool { return s.con.Closed() }

// Help lists the lab's controls.
const Help = `Lab controls (IOS commands are typed as on a switch):
  lab help                                   this list
  lab time                                   the world's time
  lab advance <duration>|next                move virtual time (30d, 12h, 90m, 45s, 1y) or to the next event
  lab timeline [N]                           the last N events of the world (default 20)
  lab devices | lab device <name>            list the devices, or switch the console to one
  lab scenario [ID]                          list the field guide's scenarios, or load one (broken)
  lab exercise list | start <ID|file>        exercises that check themselves; then:
  lab exercise [check | hint | give-up | report]   the objective, the verdict, a hint, the solution, the score
  lab save <file> | lab load <file>          save or load the whole lab
  lab token [<va>] [days <n>] [uses <n>]     create a CSSM token (into $TOKEN) for a virtual account (Campus)
  lab token revoke [<token>]                 revoke a token ($TOKEN)
  lab cssm vas | alerts | events | instances <va> | licenses <va>
  lab cssm api-client | user <name> <password>   API credentials, a portal/API user
  lab cssm remove <udi>                      remove a product instance (PID:…,SN:…)
  lab cssm paks | conversions                the PAKs, the Conversion History
  lab cssm pak add <PAK> <va> <order> <SKU> <qty> <tag…>
  lab cssm pak convert <PAK> <va> [<SKU> <qty>]   Convert PAKs (all that is left, or some)
  lab cssm va create <name>
  lab cssm license add <va> <qty> <tag…> [term <years>]
  lab cssm license remove <va> <qty> <tag…>
  lab cssm license transfer <from> <to> <qty> <tag…>
  lab cssm busy on|off                       CSSM answers "try again"
  lab satellite add <name> [connected|disconnected]   an on-prem satellite at <name>.acme.com
  lab transport-gateway add <name> | ca <name>   a Transport Gateway at <name>.acme.com relaying to CSSM; its CA to paste
  lab satellite list | token <name> [days <n>] | sync <name> | renew <name> <days>
  lab fault set|clear <kind> <target> [<value>]   kinds: endpoint-down block-port dns-record vrf-route intercept cssm-busy ssh-strict cert-reissued
  lab proxy <ip> [intercept <ca name>]       add an HTTP proxy (port 8080); lab proxy ca <name> prints its CA to paste
`

func (s *Session) world() *sim.World { return s.con.World() }

func (s *Session) lab(f []string) (string, error) {
	if len(f) == 0 {
		return Help, nil
	}
	w := s.world()
	switch strings.ToLower(f[0]) {
	case "help", "?":
		return Help, nil
	case "time":
		return w.Now().UTC().Format("Mon Jan 2 15:04:05 2006 UTC") + "\n", nil
	case "advance":
		if len(f) != 2 {
			return "", errors.New("lab advance <duration>|next")
		}
		if strings.EqualFold(f[1], "next") {
			n := w.NextDeadline()
			if n.IsZero() {
				return "nothing is scheduled\n", nil
			}
			if err := w.RunUntil(n); err != nil {
				return "", err
			}
			return "now " + n.UTC().Format(time.RFC3339) + "\n", nil
		}
		d, err := ParseDuration(f[1])
		if err != nil {
			return "", err
		}
		if err := w.RunFor(d); err != nil {
			return "", err
		}
		return "now " + w.Now().UTC().Format(time.RFC3339) + "\n", nil
	case "timeline":
		n := 20
		if len(f) > 1 {
			v, err := strconv.Atoi(f[1])
			if err != nil || v < 1 {
				return "", fmt.Errorf("lab timeline [N]: %q is not a count", f[1])
			}
			n = v
		}
		var b strings.Builder
		for _, e := range w.Recent(n) {
			b.WriteString(e.String() + "\n")
		}
		return b.String(), nil
	case "devices":
		return strings.Join(w.Devices(), "\n") + "\n", nil
	case "device":
		if len(f) != 2 {
			return "", errors.New("lab device <name>")
		}
		con, err := ios.NewConsole(w, f[1])
		if err != nil {
			return "", err
		}
		con.SetVar("TOKEN", s.token())
		s.setConsole(con)
		return "", nil
	case "scenario":
		return s.scenario(f[1:])
	case "save":
		if len(f) != 2 {
			return "", errors.New("lab save <file>")
		}
		data, err := w.Save()
		if err != nil {
			return "", err
		}
		file, err := json.Marshal(saved{Device: s.con.Device(), Token: s.token(), World: data})
		if err != nil {
			return "", err
		}
		if err := atomicfile.Write(f[1], file, 0o600); err != nil { // it holds tokens
			return "", err
		}
		return "saved " + f[1] + "\n", nil
	case "load":
		if len(f) != 2 {
			return "", errors.New("lab load <file>")
		}
		if s.fixed {
			return "", errFixed
		}
		return s.load(f[1])
	case "token":
		return s.tokenCmd(f[1:])
	case "cssm":
		return s.cssmCmd(f[1:])
	case "satellite":
		return s.satelliteCmd(f[1:])
	case "transport-gateway":
		return s.transportGatewayCmd(f[1:])
	case "fault":
		return s.faultCmd(f[1:])
	case "proxy":
		return s.proxyCmd(f[1:])
	case "exercise":
		return s.exerciseCmd(f[1:])
	}
	return "", fmt.Errorf("unknown control %q (lab help)", f[0])
}

func (s *Session) token() string { return s.con.Var("TOKEN") }

// saved is a lab file: the world, the device the console is on and $TOKEN.
type saved struct {
	Device string          `json:"device"`
	Token  string          `json:"token"`
	World  json.RawMessage `json:"world"`
}

func splitSaved(data []byte) (string, string, []byte, error) {
	var v saved
	if err := json.Unmarshal(data, &v); err != nil {
		return "", "", nil, err
	}
	if v.Device == "" || len(v.World) == 0 {
		return "", "", nil, errors.New("not a lab file")
	}
	return v.Device, v.Token, v.World, nil
}

// maxDuration bounds lab durations: twenty years.
const maxDuration = 20 * 365 * agent.Day

var durationRE = regexp.MustCompile(`^(\d+)([ydhms])$`)

// ParseDuration reads 30d, 12h, 90m, 45s, 1y (365 days), or Go durations,
// of at most twenty years; a number too large to hold is refused, never
// wrapped around.
func ParseDuration(v string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(strings.ToLower(v))
	var d time.Duration
	if m != nil {
		unit := map[string]time.Duration{"y": 365 * agent.Day, "d": agent.Day, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > int64(maxDuration/unit) {
			return 0, fmt.Errorf("duration %q: want more than 0 and at most 20 years", v)
		}
		d = time.Duration(n) * unit
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("duration %q: want e.g. 30d, 12h, 90m, 45s, 1y", v)
		}
	}
	if d <= 0 || d > maxDuration {
		return 0, fmt.Errorf("duration %q: want more than 0 and at most 20 years", v)
	}
	return d, nil
}

func (s *Session) scenario(f []string) (string, error) {
	if len(f) == 0 {
		var b strings.Builder
		for _, sc := range scenario.All() {
			fmt.Fprintf(&b, "%-3s %s\n", sc.ID, sc.Title)
		}
		return b.String(), nil
	}
	sc, ok := scenario.Find(f[0])
	if !ok {
		return "", fmt.Errorf("no scenario %q (lab scenario lists them)", f[0])
	}
	if s.fixed {
		return "", errFixed
	}
	l, err := sc.Break(s.seed)
	if err != nil {
		return "", err
	}
	ns, err := Attach(l, s.seed)
	if err != nil {
		return "", err
	}
	con, lang, clk := s.con, s.lang, s.realNow
	*s = *ns
	s.keepTerminal(con)
	s.lang, s.realNow = lang, clk // a new world: no exercise on it
	return fmt.Sprintf("scenario %s loaded: %s\ncause: %s\nDiagnose it; the fix is in docs/lab.md.\n", sc.ID, sc.Title, sc.Cause), nil
}

func (s *Session) load(path string) (string, error) {
	data, err := atomicfile.Read(path, atomicfile.MaxRead)
	if err != nil {
		return "", err
	}
	dev, tok, world, err := splitSaved(data)
	if err != nil {
		return "", fmt.Errorf("load %s: %w", path, err)
	}
	w, err := sim.Load(world)
	if err != nil {
		return "", err
	}
	con, err := ios.NewConsole(w, dev)
	if err != nil {
		return "", err
	}
	con.SetVar("TOKEN", tok)
	s.setConsole(con)
	s.run = nil // a new world: no exercise on it
	return "loaded " + path + "\n", nil
}

func (s *Session) tokenCmd(f []string) (string, error) {
	w := s.world()
	if len(f) > 0 && strings.EqualFold(f[0], "revoke") {
		v := s.token()
		if len(f) > 1 {
			v = f[1]
		}
		if err := w.CSSM().RevokeToken(w.Now(), v); err != nil {
			return "", err
		}
		return "revoked\n", nil
	}
	va, opts := scenario.VA, cssm.TokenOptions{Description: "lab", ExpiresAfterDays: 30, ExportControlled: true}
	for i := 0; i < len(f); i++ {
		switch strings.ToLower(f[i]) {
		case "days", "uses":
			if i+1 >= len(f) {
				return "", fmt.Errorf("%s needs a number", f[i])
			}
			n, err := strconv.Atoi(f[i+1])
			if err != nil {
				return "", fmt.Errorf("%s %q: not a number", f[i], f[i+1])
			}
			if strings.EqualFold(f[i], "days") {
				opts.ExpiresAfterDays = n
			} else {
				opts.MaxUses = n
			}
			i++
		default:
			va = f[i]
		}
	}
	tok, err := w.CSSM().CreateToken(w.Now(), scenario.Account, va, opts)
	if err != nil {
		return "", err
	}
	s.con.SetVar("TOKEN", tok.Value)
	return fmt.Sprintf("token for %s (expires %s) in $TOKEN:\n%s\n", va, tok.Expires.Format(time.DateOnly), tok.Value), nil
}

func (s *Session) cssmCmd(f []string) (string, error) {
	w := s.world()
	c := w.CSSM()
	now := w.Now()
	if len(f) == 0 {
		return "", errors.New("lab cssm vas|alerts|instances|licenses|va|license|busy …")
	}
	switch strings.ToLower(f[0]) {
	case "vas":
		vas, err := c.VirtualAccounts(scenario.Account)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, v := range vas {
			def := ""
			if v.Default {
				def = " (default)"
			}
			fmt.Fprintf(&b, "%s%s: %d product instances\n", v.Name, def, v.Instances)
		}
		return b.String(), nil
	case "alerts":
		var b strings.Builder
		for _, a := range c.Alerts(scenario.Account, false) {
			fmt.Fprintf(&b, "%s %-8s %s: %s\n", a.Raised.UTC().Format("2006-01-02 15:04"), a.Severity, a.Type, a.Message)
		}
		if b.Len() == 0 {
			return "no open alerts\n", nil
		}
		return b.String(), nil
	case "paks":
		var b strings.Builder
		fmt.Fprintf(&b, "%-12s %-32s %-12s %-11s %-10s %s\n", "PAK", "SKUs", "Order", "Order Date", "VA", "Status")
		for _, p := range c.PAKs(scenario.Account) {
			var skus []string
			for _, l := range p.Lines {
				skus = append(skus, fmt.Sprintf("%s (%d, %d converted)", l.SKU, l.Quantity, l.Converted))
			}
			fmt.Fprintf(&b, "%-12s %-32s %-12s %-11s %-10s %s\n", p.ID, strings.Join(skus, " "), p.OrderNumber, p.OrderDate.UTC().Format("2006-Jan-02"), p.VA, p.Status())
		}
		return b.String(), nil
	case "pak":
		return pakCmd(c, now, f[1:])
	case "conversions":
		var b strings.Builder
		for _, h := range c.Conversions(scenario.Account) {
			fmt.Fprintf(&b, "%s %-22s %-30s %-8s %s: %s\n", h.Time.UTC().Format("2006-01-02 15:04"), h.Method, h.Source, h.VA, h.Status, strings.Join(h.Licenses, ", "))
		}
		if b.Len() == 0 {
			return "no conversions\n", nil
		}
		return b.String(), nil
	case "api-client":
		if len(f) != 1 {
			return "", errors.New("lab cssm api-client")
		}
		cl, err := c.CreateAPIClient(now, scenario.Account)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("API client for %s:\nclient_id %s\nclient_secret %s\n", scenario.Account, cl.ID, cl.Secret), nil
	case "user":
		if len(f) != 3 {
			return "", errors.New("lab cssm user <name> <password>")
		}
		if err := c.AddUser(now, scenario.Account, f[1], f[2]); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s may sign in to %s\n", f[1], scenario.Account), nil
	case "events":
		evs, err := c.Events(scenario.Account)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for i := len(evs) - 1; i >= 0; i-- {
			e := evs[i]
			fmt.Fprintf(&b, "%s %-10s %-8s %s\n", e.Time.UTC().Format("2006-01-02 15:04"), e.VA, e.User, e.Message)
		}
		return b.String(), nil
	case "remove":
		if len(f) != 2 {
			return "", errors.New("lab cssm remove <PID:…,SN:…>")
		}
		udi, err := license.ParseUDI(f[1])
		if err != nil {
			return "", err
		}
		return "", w.ActOnCSSM("remove "+udi.String(), func(c *cssm.CSSM, now time.Time) error { return c.RemoveInstance(now, udi) })
	case "instances":
		if len(f) != 2 {
			return "", errors.New("lab cssm instances <va>")
		}
		rows, err := c.Instances(scenario.Account, f[1])
		if err != nil {
			return "", err
		}
		if len(rows) == 0 {
			return "no product instances in " + f[1] + "\n", nil
		}
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintf(&b, "%-12s %-12s %-14s last contact %s  %s\n", r.Name, r.PID, r.SN, r.LastContact.UTC().Format("2006-01-02 15:04"), r.Status)
		}
		return b.String(), nil
	case "licenses":
		if len(f) != 2 {
			return "", errors.New("lab cssm licenses <va>")
		}
		rows, err := c.Licenses(scenario.Account, f[1])
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if err := cssm.WriteLicenses(&b, rows); err != nil {
			return "", err
		}
		return b.String(), nil
	case "va":
		if len(f) != 3 || !strings.EqualFold(f[1], "create") {
			return "", errors.New("lab cssm va create <name>")
		}
		return "", c.CreateVirtualAccount(now, scenario.Account, f[2], "")
	case "license":
		return "", w.ActOnCSSM(strings.Join(f, " "), func(c *cssm.CSSM, now time.Time) error {
			_, err := licenseCmd(c, now, f[1:])
			return err
		})
	case "busy":
		if len(f) != 2 {
			return "", errors.New("lab cssm busy on|off")
		}
		return "", w.SetFault(sim.Fault{Kind: sim.FaultCSSMBusy, Target: "cssm", On: strings.EqualFold(f[1], "on")})
	}
	return "", fmt.Errorf("unknown cssm control %q", f[0])
}

// pakCmd is `lab cssm pak add <PAK> <va> <order> <SKU> <qty> <tag…>` and
// `lab cssm pak convert <PAK> <va> [<SKU> <qty>]`.
func pakCmd(c *cssm.CSSM, now time.Time, f []string) (string, error) {
	switch {
	case len(f) >= 7 && strings.EqualFold(f[0], "add"):
		qty, err := strconv.Atoi(f[5])
		if err != nil {
			return "", fmt.Errorf("lab cssm pak add: quantity %q is not a number", f[5])
		}
		ent, err := stackwise.LookupTagOrName(strings.Join(f[6:], " "))
		if err != nil {
			return "", err
		}
		p := cssm.PAK{ID: f[1], VA: f[2], OrderNumber: f[3], Lines: []cssm.PAKLine{{SKU: f[4], Tag: ent.Tag, Quantity: qty}}}
		if err := c.AddPAK(now, scenario.Account, p); err != nil {
			return "", err
		}
		return fmt.Sprintf("PAK %s: %d %s (%s)\n", p.ID, qty, f[4], ent.CSSMName), nil
	case (len(f) == 3 || len(f) == 5) && strings.EqualFold(f[0], "convert"):
		var qty map[string]int
		if len(f) == 5 {
			n, err := strconv.Atoi(f[4])
			if err != nil {
				return "", fmt.Errorf("lab cssm pak convert: quantity %q is not a number", f[4])
			}
			qty = map[string]int{f[3]: n}
		}
		if err := c.ConvertPAK(now, scenario.Account, f[1], f[2], qty); err != nil {
			return "", err
		}
		h := c.Conversions(scenario.Account)[0]
		return fmt.Sprintf("converted into %s: %s\n", h.VA, strings.Join(h.Licenses, ", ")), nil
	}
	return "", errors.New("lab cssm pak add <PAK> <va> <order> <SKU> <qty> <tag…> | convert <PAK> <va> [<SKU> <qty>]")
}

func licenseCmd(c *cssm.CSSM, now time.Time, f []string) (string, error) {
	if len(f) < 4 {
		return "", errors.New("lab cssm license add|remove <va> <qty> <tag…> | transfer <from> <to> <qty> <tag…>")
	}
	op := strings.ToLower(f[0])
	rest := f[1:]
	var from, to string
	switch op {
	case "add", "remove":
		to, rest = rest[0], rest[1:]
	case "transfer":
		if len(rest) < 4 {
			return "", errors.New("lab cssm license transfer <from> <to> <qty> <tag…>")
		}
		from, to, rest = rest[0], rest[1], rest[2:]
	default:
		return "", fmt.Errorf("unknown license control %q", op)
	}
	qty, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return "", fmt.Errorf("quantity %q: not a number", rest[0])
	}
	words := rest[1:]
	var end time.Time
	if n := len(words); op == "add" && n >= 2 && strings.EqualFold(words[n-2], "term") {
		years, err := strconv.Atoi(words[n-1])
		if err != nil || years < 1 || years > 10 {
			return "", fmt.Errorf("term %q: want 1 to 10 years", words[n-1])
		}
		end, words = now.AddDate(years, 0, 0), words[:n-2]
	}
	tag := strings.Join(words, " ")
	switch op {
	case "add":
		_, err = c.AddLicenses(now, scenario.Account, to, tag, qty, now, end)
	case "remove":
		err = c.RemoveLicenses(now, scenario.Account, to, tag, qty)
	default:
		err = c.TransferLicenses(now, scenario.Account, from, to, tag, qty)
	}
	return "", err
}

func (s *Session) satelliteCmd(f []string) (string, error) {
	w := s.world()
	if len(f) >= 1 && strings.EqualFold(f[0], "list") {
		return s.satelliteList(), nil
	}
	if len(f) < 2 {
		return "", errors.New("lab satellite add <name> [connected|disconnected] | list | token <name> [days <n>] | sync <name> | renew <name> <days>")
	}
	if strings.EqualFold(f[0], "add") {
		return s.satelliteAdd(f[1:])
	}
	sat, ok := w.Satellite(f[1])
	if !ok {
		return "", fmt.Errorf("no satellite %q", f[1])
	}
	switch strings.ToLower(f[0]) {
	case "sync":
		if sat.Mode() == cssm.SyncManual { // disconnected: the file exchange, both ways at once
			file, err := sat.ExportSyncFile(w.Now())
			if err != nil {
				return "", err
			}
			req, err := cssm.ParseSyncRequest(file)
			if err != nil {
				return "", err
			}
			var resp cssm.SyncResponse
			if err := w.ActOnCSSM("import the sync file of "+f[1], func(c *cssm.CSSM, now time.Time) (err error) {
				resp, err = c.ImportSync(now, req)
				return err
			}); err != nil {
				return "", err
			}
			if err := sat.ImportSyncResponse(w.Now(), resp); err != nil {
				return "", err
			}
			return "synchronized by file\n", nil
		}
		if err := w.ActOnCSSM("synchronise "+f[1], func(c *cssm.CSSM, now time.Time) error { return sat.Sync(now, c) }); err != nil {
			return "", err
		}
		return "synchronized\n", nil
	case "renew":
		if len(f) != 3 {
			return "", errors.New("lab satellite renew <name> <days>")
		}
		days, err := strconv.Atoi(f[2])
		if err != nil || days < 1 {
			return "", fmt.Errorf("days %q", f[2])
		}
		if err := sat.RenewCertificate(w.Now(), time.Duration(days)*agent.Day); err != nil {
			return "", err
		}
		for _, ip := range slices.Sorted(maps.Keys(w.Network().Endpoints)) {
			if ep, _ := w.Network().Endpoint(ip); ep.Backend == f[1] && ep.Cert != nil {
				ep.Cert.NotAfter = sat.CertificateExpires()
			}
		}
		return "certificate valid until " + sat.CertificateExpires().Format(time.DateOnly) + "\n", nil
	case "token":
		days := 30
		if len(f) == 4 && strings.EqualFold(f[2], "days") {
			n, err := strconv.Atoi(f[3])
			if err != nil || n < 1 || n > 365 {
				return "", fmt.Errorf("days %q: want 1 to 365", f[3])
			}
			days = n
		} else if len(f) != 2 {
			return "", errors.New("lab satellite token <name> [days <n>]")
		}
		tok, err := sat.CreateToken(w.Now(), scenario.VA, cssm.TokenOptions{Description: "lab", ExpiresAfterDays: days})
		if err != nil {
			return "", err
		}
		s.con.SetVar("TOKEN", tok.Value)
		return fmt.Sprintf("token of %s for %s (expires %s) in $TOKEN:\n%s\n", f[1], scenario.VA, tok.Expires.Format(time.DateOnly), tok.Value), nil
	}
	return "", fmt.Errorf("unknown satellite control %q", f[0])
}

// satelliteAdd is `lab satellite add <name> [connected|disconnected]`: an
// on-prem satellite of the lab's virtual account, installed on the lab's
// network at the first free address from 192.0.2.50, its name
// (<name>.acme.com) in the lab's DNS, with a two-year server
// certificate. Connected, it synchronises with CSSM monthly over the
// network; disconnected, only by `lab satellite sync`. [model]
func (s *Session) satelliteAdd(f []string) (string, error) {
	w := s.world()
	name := f[0]
	mode := cssm.SyncNetwork
	if len(f) == 3 && strings.EqualFold(f[1], "--mode") { // --mode connected, as --mode=connected
		f = []string{f[0], f[2]}
	}
	if len(f) > 2 {
		return "", errors.New("lab satellite add <name> [--mode] [connected|disconnected]")
	}
	if len(f) == 2 {
		switch strings.ToLower(strings.TrimPrefix(f[1], "--mode=")) {
		case "connected":
		case "disconnected":
			mode = cssm.SyncManual
		default:
			return "", fmt.Errorf("mode %q: want connected or disconnected", f[1])
		}
	}
	if len(name) > 32 || strings.ContainsAny(name, ". /") || name == "" {
		return "", fmt.Errorf("satellite name %q: one word of at most 32 characters", name)
	}
	if _, ok := w.Satellite(name); ok {
		return "", fmt.Errorf("satellite %s already exists", name)
	}
	ip, ok := freeAddress(w.Network(), 50, 100)
	if !ok {
		return "", errors.New("no free address left for a satellite")
	}
	host := strings.ToLower(name) + ".acme.com"
	if _, err := w.AddSatellite(cssm.SatelliteConfig{Name: name, Hostname: host, SA: scenario.Account, VAs: []string{scenario.VA},
		Mode: mode, CertValidity: 730 * agent.Day, Seed: uint64(len(w.Devices()) + 7)}, ip); err != nil {
		return "", err
	}
	w.Network().Records[host] = ip
	return fmt.Sprintf("satellite %s at %s (%s), %s: point a profile at https://%s%s and register with lab satellite token %s\n",
		name, host, ip, map[cssm.SyncMode]string{cssm.SyncNetwork: "connected", cssm.SyncManual: "disconnected"}[mode], host, netsim.SatellitePath, name), nil
}

// satelliteList lists the world's satellites: name, mode, last sync and
// CSSM's view of it.
func (s *Session) satelliteList() string {
	w := s.world()
	infos := w.CSSM().Satellites(scenario.Account)
	if len(infos) == 0 {
		return "no satellites\n"
	}
	var b strings.Builder
	for _, i := range infos {
		fmt.Fprintf(&b, "%-12s %-8s last sync %s  %s\n", i.Name, i.Mode, i.LastSync.UTC().Format("2006-01-02 15:04"), i.Status)
	}
	return b.String()
}

func (s *Session) faultCmd(f []string) (string, error) {
	if len(f) < 3 {
		return "", errors.New("lab fault set|clear <kind> <target> [<value>]")
	}
	on := strings.EqualFold(f[0], "set")
	if !on && !strings.EqualFold(f[0], "clear") {
		return "", fmt.Errorf("lab fault %q: want set or clear", f[0])
	}
	fault := sim.Fault{Kind: f[1], Target: f[2], On: on}
	if len(f) > 3 {
		fault.Value = strings.Join(f[3:], " ")
	}
	return "", s.world().SetFault(fault)
}

// transportGatewayCmd is `lab transport-gateway add <name>` (a Transport
// Gateway at the first free lab address from 192.0.2.100, named
// <name>.acme.com in the lab's DNS, relaying Call Home messages to CSSM
// behind a certificate of "<name> CA", which the switch must trust with a
// trustpoint) and `lab transport-gateway ca <name>` (that CA's
// certificate, to paste into crypto pki authenticate). Its faults are the
// network's: `lab fault set endpoint-down <ip>` takes it down, `lab fault
// set cert-reissued <ip> <CA>` makes it present a certificate of another
// CA. [model]
func (s *Session) transportGatewayCmd(f []string) (string, error) {
	if len(f) != 2 || (!strings.EqualFold(f[0], "add") && !strings.EqualFold(f[0], "ca")) {
		return "", errors.New("lab transport-gateway add <name> | ca <name>")
	}
	name := f[1]
	if len(name) > 32 || strings.ContainsAny(name, ". /") {
		return "", fmt.Errorf("transport gateway name %q: one word of at most 32 characters", name)
	}
	w := s.world()
	net := w.Network()
	host := strings.ToLower(name) + ".acme.com"
	ca := name + " CA"
	if strings.EqualFold(f[0], "ca") {
		// The CA of the certificate the gateway presents now: a
		// re-issued one (lab fault set cert-reissued) names its own.
		if ep, ok := net.Endpoint(net.Records[host]); ok && ep.Kind == netsim.KindTransportGateway {
			ca = ep.Certificate().Issuer
		}
		return ios.CAPEM(ca), nil
	}
	if _, taken := net.Records[host]; taken {
		return "", fmt.Errorf("%s is already in the lab's DNS", host)
	}
	ip, ok := freeAddress(net, 100, 150)
	if !ok {
		return "", errors.New("no free address left for a transport gateway")
	}
	if err := w.AddTransportGateway(host, ip, ca); err != nil {
		return "", err
	}
	net.Records[host] = ip
	return fmt.Sprintf("transport gateway %s at %s (%s), certificate by %q: trust it (lab transport-gateway ca %s) and point a profile at https://%s%s\n",
		name, host, ip, ca, name, host, netsim.SatellitePath), nil
}

// freeAddress is the first address 192.0.2.from … 192.0.2.(to-1) that no
// endpoint of the lab's network holds.
func freeAddress(n *netsim.Network, from, to int) (string, bool) {
	for i := from; i < to; i++ {
		ip := fmt.Sprintf("192.0.2.%d", i)
		if _, used := n.Endpoint(ip); !used {
			return ip, true
		}
	}
	return "", false
}

func (s *Session) proxyCmd(f []string) (string, error) {
	if len(f) >= 2 && strings.EqualFold(f[0], "ca") {
		return ios.CAPEM(strings.Join(f[1:], " ")), nil
	}
	if len(f) != 1 && !(len(f) >= 3 && strings.EqualFold(f[1], "intercept")) {
		return "", errors.New("lab proxy <ip> [intercept <ca name>] | lab proxy ca <name>")
	}
	ep := netsim.Endpoint{IP: f[0], Name: "proxy.acme.com", Kind: netsim.KindProxy, Ports: []int{8080}}
	if len(f) >= 3 {
		ep.Intercepts, ep.ProxyCA = true, strings.Join(f[2:], " ")
	}
	if err := s.world().Network().Add(ep); err != nil {
		return "", err
	}
	return "proxy " + f[0] + " port 8080\n", nil
}
