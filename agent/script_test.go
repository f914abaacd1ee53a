package agent_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// The behaviour scripts in testdata/*.txt are the agent's documentation
// that runs: each input a switch or CSSM gives, and what the agent does —
// the requests it sends, the lines it logs, its two status lines — with
// every date. `go test ./agent -run TestScripts -rewrite` writes the
// outputs anew after a deliberate change (read the diff).
//
// Commands (times are virtual; nothing waits):
//
//	boot [usage=na24:1,dna24:1|none] [seed=N]   a switch boots (Mar 01 2024 12:00 UTC)
//	register [force] [token=T]                  license smart register idtoken …
//	deregister | renew-auth | renew-id           the other exec commands
//	usage na24:2,…|none                          the entitlements in use change
//	reload saved|unsaved                         a reload, with or without write memory
//	answer KIND ok|out [backend=-5m]             CSSM answers the last KIND request
//	fail KIND CLASS [reason=…]                   KIND fails: send, busy, rejected,
//	                                             transport-unavailable, invalid-data
//	advance 30d [quiet] | advance next [n=N]    time passes, nothing answered (next: to the next deadline)
//	healthy 30d [quiet] [except=KIND]            time passes, CSSM answering every request at once
//	                                             (rejecting those of KIND)
//	outage 30d [quiet]                           time passes, every request failing to send
//	status                                       the fields of show license status
//
// KIND is register, authorize, renew-id or deregister.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata/scripts", func(t *testing.T, path string) {
		s := newScript(t, false)
		datadriven.RunTest(t, path, s.run)
	})
}

// The scripts again, with the agent snapshotted and restored after every
// command: a restored agent must go on exactly as the original (same
// outputs, byte for byte, as the scripts say).
func TestScriptsThroughSnapshots(t *testing.T) {
	datadriven.Walk(t, "testdata/scripts", func(t *testing.T, path string) {
		s := newScript(t, true)
		datadriven.RunTest(t, path, s.run)
	})
}

// Together the scripts take every row of the mode graph: each event from
// each mode it is allowed in.
func TestScriptsCoverTheGraph(t *testing.T) {
	seen := map[string]bool{}
	files, err := filepath.Glob("testdata/scripts/*.txt")
	require.NoError(t, err)
	for _, f := range files {
		s := newScript(t, false)
		s.seen = seen
		datadriven.RunTest(t, f, s.run)
	}
	var missing []string
	for _, from := range agent.Modes() {
		for _, ev := range agent.Events() {
			if _, ok := agent.Transition(from, ev); ok && !seen[string(from)+" "+string(ev)] {
				missing = append(missing, fmt.Sprintf("%s --%s-->", from, ev))
			}
		}
	}
	require.Empty(t, missing, "graph rows no script takes")
}

// Together the scripts show every timer of the profile: each is named in
// a "# timer: Name" comment of some script, above the command whose
// output shows it.
func TestScriptsNameEveryTimer(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.txt")
	require.NoError(t, err)
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all.Write(b)
	}
	for _, f := range agent.ProfileFields() {
		require.Contains(t, all.String(), "# timer: "+f.Name, "no script shows %s", f.Name)
	}
}

var start = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

var tags = map[string]string{
	"na24": "C9300-24 Network Advantage", "dna24": "C9300-24 DNA Advantage",
	"na48": "C9300-48 Network Advantage", "dna48": "C9300-48 DNA Advantage",
}

type script struct {
	t        *testing.T
	a        *agent.Agent
	sent     []license.Message // requests sent and not answered yet, oldest first
	restore  bool
	seen     map[string]bool
	lastLine string // the status lines last printed
}

func newScript(t *testing.T, restore bool) *script { return &script{t: t, restore: restore} }

func parseUsage(t *testing.T, s string) []license.Usage {
	if s == "none" {
		return nil
	}
	var out []license.Usage
	for _, f := range strings.Split(s, ",") {
		name, n, ok := strings.Cut(f, ":")
		tag, known := tags[name]
		count, err := strconv.Atoi(n)
		if !ok || !known || err != nil {
			t.Fatalf("usage %q: want name:count with a name of %v", f, tags)
		}
		out = append(out, license.Usage{Tag: tag, Count: count})
	}
	return out
}

// parseDuration reads 30d, 12h, 1d2h, 90s, -5m.
func parseDuration(t *testing.T, s string) time.Duration {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(days)
		require.NoError(t, err, "duration %q", s)
		d, s = time.Duration(n)*agent.Day, rest
	}
	if s != "" {
		more, err := time.ParseDuration(s)
		require.NoError(t, err, "duration %q", s)
		d += more
	}
	if neg {
		d = -d
	}
	return d
}

func stamp(v time.Time) string { return v.UTC().Format("Jan 02 15:04:05 2006") }

func (s *script) watch() {
	agent.OnMove(s.a, func(from agent.Mode, ev agent.Event, to agent.Mode) {
		if s.seen != nil {
			s.seen[string(from)+" "+string(ev)] = true
		}
		// Every move the agent makes is one that looplab/fsm's machine of
		// the graph allows, to the same mode.
		want, ok := agent.Transition(from, ev)
		require.True(s.t, ok, "the graph has no %s from %s", ev, from)
		require.Equal(s.t, want, to, "%s --%s-->", from, ev)
	})
}

func (s *script) run(t *testing.T, td *datadriven.TestData) string {
	var out strings.Builder
	arg := func(i int) string {
		if i < len(td.CmdArgs) {
			return td.CmdArgs[i].Key
		}
		return ""
	}
	val := func(key, def string) string {
		for _, a := range td.CmdArgs {
			if a.Key == key && len(a.Vals) > 0 {
				return strings.Join(a.Vals, ",")
			}
		}
		return def
	}
	if td.Cmd != "boot" && s.a == nil {
		t.Fatalf("%s: boot first", td.Pos)
	}
	var err error
	now := func() time.Time {
		if s.a == nil {
			return start
		}
		return s.a.Now()
	}
	switch td.Cmd {
	case "boot":
		seed, _ := strconv.ParseUint(val("seed", "1"), 10, 64)
		s.a, err = agent.New(start, agent.Config{UDI: license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}, Hostname: "sw1",
			Seed: seed, Usage: parseUsage(t, val("usage", "na24:1"))})
		require.NoError(t, err)
		s.lastLine, s.sent = "", nil
		s.watch()
	case "register":
		var reply string
		reply, err = s.a.Register(now(), val("token", "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt"), td.HasArg("force"))
		if err == nil {
			fmt.Fprintln(&out, reply)
		}
	case "deregister":
		err = s.a.Deregister(now())
	case "renew-auth":
		err = s.a.RenewAuth(now())
	case "renew-id":
		err = s.a.RenewID(now())
	case "usage":
		err = s.a.SetUsage(now(), parseUsage(t, arg(0)))
	case "reload":
		err = s.a.Reload(now(), arg(0) == "saved")
	case "answer", "fail":
		err = s.answer(td.Cmd, arg(0), arg(1), val("backend", "0s"), val("reason", ""))
	case "advance":
		if arg(0) == "next" {
			n, _ := strconv.Atoi(val("n", "1"))
			for range n {
				to := s.a.NextDeadline()
				if to.IsZero() {
					fmt.Fprintln(&out, "nothing is due")
					break
				}
				err = s.a.Advance(to)
				s.collect(&out)
			}
			break
		}
		err = s.pass(&out, parseDuration(t, arg(0)), td.HasArg("quiet"), "", "")
	case "outage":
		// Time passes with the path to CSSM down: every request the agent
		// sends fails to send at once; what was outstanding is lost.
		s.sent = nil
		err = s.pass(&out, parseDuration(t, arg(0)), td.HasArg("quiet"), "send", "")
		fmt.Fprintf(&out, "path restored at %s\n", stamp(s.a.Now()))
	case "healthy":
		// Time passes with CSSM answering every request at once, in
		// compliance.
		err = s.pass(&out, parseDuration(t, arg(0)), td.HasArg("quiet"), "ok", val("except", ""))
	case "status":
		s.status(&out)
		return out.String()
	default:
		t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
	}
	if err != nil {
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	s.collect(&out)
	if s.restore {
		snap, err := s.a.Snapshot()
		require.NoError(t, err)
		s.a, err = agent.Restore(snap)
		require.NoError(t, err)
		s.watch()
	}
	return out.String()
}

// pass lets d of time pass deadline by deadline, printing what happens
// at each (nothing with quiet); every request the agent sends is answered
// at once as answer says ("ok", "send": a failure to send), or not at all
// (""); requests of kind except are rejected by CSSM instead.
func (s *script) pass(out *strings.Builder, d time.Duration, quiet bool, answer, except string) error {
	end := s.a.Now().Add(d)
	var sink strings.Builder
	w := out
	if quiet {
		w = &sink
	}
	for {
		to := s.a.NextDeadline()
		if to.IsZero() || to.After(end) {
			err := s.a.Advance(end)
			if quiet {
				s.lastLine = "" // the status lines are printed again
			}
			return err
		}
		require.NoError(s.t, s.a.Advance(to))
		sent := s.collect(w)
		for answer != "" && len(sent) > 0 {
			for _, m := range sent {
				switch {
				case m.Kind() == except:
					require.NoError(s.t, s.a.Handle(to, license.Failure{ID: m.RequestID(), Class: license.FailRejected, Reason: license.ReasonSignatureMismatch}))
				case answer == "send":
					require.NoError(s.t, s.a.Handle(to, license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}))
				default:
					require.NoError(s.t, s.reply(m, to, true))
				}
			}
			s.sent = nil
			sent = s.collect(w)
		}
	}
}

// collect prints what the agent logged and sent since the last command,
// then its two status lines when they changed; it returns the requests
// sent.
func (s *script) collect(out *strings.Builder) []license.Message {
	for _, l := range s.a.TakeLogs() {
		fmt.Fprintf(out, "%s  %s\n", stamp(l.Time), l.Message())
	}
	sent := s.a.TakeMessages()
	for _, m := range sent {
		fmt.Fprintf(out, "%s  -> %s #%d\n", stamp(s.a.Now()), m.Kind(), m.RequestID())
	}
	s.sent = append(s.sent, sent...)
	reg, auth := s.a.States()
	if line := reg + " / " + auth; line != s.lastLine {
		s.lastLine = line
		fmt.Fprintf(out, "state: %s\n", line)
	}
	return sent
}

func (s *script) answer(cmd, kind, how, backend, reason string) error {
	i := -1
	for j := len(s.sent) - 1; j >= 0 && i < 0; j-- { // the last one of its kind
		if s.sent[j].Kind() == kind {
			i = j
		}
	}
	if i < 0 {
		s.t.Fatalf("no %s request is outstanding (sent: %v)", kind, s.sent)
	}
	m := s.sent[i]
	s.sent = slices.Delete(s.sent, i, i+1)
	now := s.a.Now()
	at := now.Add(parseDuration(s.t, backend))
	if cmd == "fail" {
		classes := map[string]license.FailureClass{"send": license.FailSend, "busy": license.FailBusy, "rejected": license.FailRejected,
			"transport-unavailable": license.FailTransportUnavailable, "invalid-data": license.FailInvalidData}
		reasons := map[string]string{"send": license.ReasonSendFailed, "busy": license.ReasonBusy, "rejected": license.ReasonAlreadyRegistered,
			"transport-unavailable": license.ReasonTransportUnavailable, "invalid-data": license.ReasonInvalidData}
		c, ok := classes[how]
		if !ok {
			s.t.Fatalf("unknown failure class %q", how)
		}
		if reason == "" {
			reason = reasons[how]
		}
		return s.a.Handle(now, license.Failure{ID: m.RequestID(), Class: c, Reason: reason})
	}
	return s.reply(m, at, how != "out")
}

// reply answers m with success at the agent's time, as of the back end's
// time at (certificates start 5 minutes before it).
func (s *script) reply(m license.Message, at time.Time, in bool) error {
	now := s.a.Now()
	switch x := m.(type) {
	case license.Register:
		return s.a.Handle(now, license.RegisterReply{ID: x.ID, SmartAccount: "ACME", VirtualAccount: "Campus", ExportControlled: true, CertStart: at.Add(-5 * time.Minute), CertSerial: "3B7C"})
	case license.Authorize:
		r := license.AuthorizeReply{ID: x.ID, Time: at}
		for _, u := range x.Usage {
			r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: u.Tag, Name: u.Tag, Count: u.Count, InCompliance: in})
		}
		return s.a.Handle(now, r)
	case license.RenewID:
		return s.a.Handle(now, license.RenewIDReply{ID: x.ID, CertStart: at.Add(-5 * time.Minute)})
	case license.Deregister:
		return s.a.Handle(now, license.DeregisterReply{ID: x.ID})
	}
	return fmt.Errorf("no reply to %T", m)
}

// status prints the fields of `show license status` that the agent keeps.
func (s *script) status(out *strings.Builder) {
	st := s.a.Status()
	date := func(v time.Time) string {
		if v.IsZero() {
			return "-"
		}
		return stamp(v)
	}
	attempt := func(a agent.Attempt) string {
		if a.Result == agent.ResultNone {
			return "None"
		}
		s := a.Result.String() + " on " + stamp(a.At)
		if a.Reason != "" {
			s += " (" + a.Reason + ")"
		}
		return s
	}
	fmt.Fprintf(out, "now: %s\n", stamp(st.Now))
	fmt.Fprintf(out, "registration: %s\n", st.Registration)
	if st.SmartAccount != "" {
		fmt.Fprintf(out, "  smart account: %s, virtual account: %s\n", st.SmartAccount, st.VirtualAccount)
	}
	fmt.Fprintf(out, "  initial registration: %s\n", attempt(st.InitialRegistration))
	fmt.Fprintf(out, "  next registration attempt: %s\n", date(st.NextRegistrationAttempt))
	fmt.Fprintf(out, "  last renewal attempt: %s\n", attempt(st.LastRenewal))
	fmt.Fprintf(out, "  next renewal attempt: %s\n", date(st.NextRenewalAttempt))
	fmt.Fprintf(out, "  registration expires: %s\n", date(st.RegistrationExpires))
	fmt.Fprintf(out, "authorization: %s since %s\n", st.Authorization, date(st.AuthorizationSince))
	fmt.Fprintf(out, "  last communication attempt: %s\n", attempt(st.LastCommunication))
	fmt.Fprintf(out, "  next communication attempt: %s\n", date(st.NextCommunicationAttempt))
	fmt.Fprintf(out, "  communication deadline: %s (back end authorized %s)\n", date(st.CommunicationDeadline), date(st.AuthorizationTime))
	fmt.Fprintf(out, "  evaluation remaining: %s", agent.FormatRemaining(st.EvalRemaining))
	if st.EvalRunning {
		fmt.Fprint(out, " (counting down)")
	}
	fmt.Fprintln(out)
	for _, e := range st.Entitlements {
		fmt.Fprintf(out, "  %s x%d: %s\n", e.Tag, e.Count, e.Status)
	}
}
