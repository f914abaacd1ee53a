package restconf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/stackwise"
)

// Module is the YANG module the licensing tree and its RPCs belong to.
const Module = "cisco-smart-license"

// Obj is a JSON object that keeps its members in YANG order, as a switch
// prints them.
type Obj []Member

// Member is one member of an Obj.
type Member struct {
	Name  string
	Value any
}

// MarshalJSON writes the members in order.
func (o Obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Name)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("restconf: member %s: %w", m.Name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns a member's value.
func (o Obj) Get(name string) (any, bool) {
	for _, m := range o {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

func (o *Obj) add(name string, v any) { *o = append(*o, Member{name, v}) }

// addTime adds a yang:date-and-time leaf unless t is zero (no deadline).
func (o *Obj) addTime(name string, t time.Time, c ios.Clock) {
	if !t.IsZero() {
		o.add(name, DateAndTime(t, c))
	}
}

// DateAndTime renders an instant as a yang:date-and-time on the device's
// clock: "2024-03-13T08:05:40+00:00" (a numeric offset, never "Z"). [model]
func DateAndTime(t time.Time, c ios.Clock) string {
	return c.Local(t).Format("2006-01-02T15:04:05-07:00")
}

// The YANG names of the agent's states (cisco-smart-license revision
// 2017-10-11).
const (
	RegNotRegistered = "reg-state-not-registered"
	RegComplete      = "reg-state-complete"
	RegInProgress    = "reg-state-in-progress"
	RegRetry         = "reg-state-retry"
	RegFailed        = "reg-state-failed"

	AuthNone                 = "auth-state-none"
	AuthEval                 = "auth-state-eval"
	AuthEvalExpired          = "auth-state-eval-expired"
	AuthAuthorized           = "auth-state-authorized"
	AuthOutOfCompliance      = "auth-state-out-of-compliance"
	AuthAuthorizationExpired = "auth-state-authorization-expired"
)

// RegistrationState maps `show license status`'s registration to the YANG
// enum: REGISTERING is in-progress on the first attempt and retry after a
// failed one. [model mapping]
func RegistrationState(s agent.Status) string {
	switch s.Registration {
	case agent.RegRegistered:
		return RegComplete
	case agent.RegRegistering:
		if s.InitialRegistration.Result == agent.ResultFailed {
			return RegRetry
		}
		return RegInProgress
	case agent.RegRegistrationFailed:
		return RegFailed
	}
	return RegNotRegistered
}

// AuthorizationState maps the license authorization status to the YANG enum.
func AuthorizationState(status string) string {
	switch status {
	case agent.AuthEvalMode:
		return AuthEval
	case agent.AuthEvalExpired:
		return AuthEvalExpired
	case agent.AuthAuthorized:
		return AuthAuthorized
	case agent.AuthOutOfComp:
		return AuthOutOfCompliance
	case agent.AuthExpired:
		return AuthAuthorizationExpired
	}
	return AuthNone
}

// EnforcementMode maps an entitlement's status to the YANG enum.
func EnforcementMode(status string) string {
	switch status {
	case agent.AuthWaiting:
		return "enforcement-waiting"
	case agent.AuthAuthorized:
		return "enforcement-in-compliance"
	case agent.AuthOutOfComp:
		return "enforcement-out-of-compliance"
	case agent.AuthEvalMode:
		return "enforcement-evaluation"
	case agent.AuthEvalExpired:
		return "enforcement-evaluation-expired"
	case agent.AuthExpired:
		return "enforcement-authorization-expired"
	}
	return "enforcement-invalid-tag"
}

// Licensing renders the `cisco-smart-license:licensing` container of a
// device: its config and its state, from the same agent status that `show
// license status` prints.
func Licensing(v ios.View) Obj {
	return Obj{{"config", Config(v)}, {"state", State(v)}}
}

// Config renders the licensing config container. slsim's switches run
// Smart Licensing over Call Home with no privacy and no utility reporting.
func Config(v ios.View) Obj {
	return Obj{
		{"enable", true},
		{"privacy", Obj{{"hostname", false}, {"version", false}}},
		{"utility", Obj{{"utility-enable", false}}},
		{"transport", Obj{{"transport-type", "transport-type-callhome"}}},
	}
}

// State renders the licensing state container.
func State(v ios.View) Obj {
	s, c := v.Status, v.Clock
	version := v.AgentVersion
	if version == "" {
		version = ios.AgentVersion
	}
	var info Obj
	info.add("registration", registration(s, c))
	info.add("authorization", authorization(s, c))
	info.add("utility", Obj{{"enabled", false}, {"reporting", "utility-reporting-type-none"}})
	info.add("transport", Obj{{"transport-type", "transport-type-callhome"}})
	info.add("privacy", Obj{{"hostname", false}, {"version", false}})
	info.add("evaluation", evaluation(s, c))
	info.add("udi", Obj{{"pid", s.UDI.PID}, {"sn", s.UDI.SN}})
	if u := usage(s); len(u) > 0 {
		info.add("usage", u)
	}
	return Obj{
		{"always-enabled", true},
		{"smart-enabled", true},
		{"version", version},
		{"state-info", info},
	}
}

func registration(s agent.Status, c ios.Clock) Obj {
	state := RegistrationState(s)
	r := Obj{{"registration-state", state}, {"export-control-allowed", s.ExportControlled}}
	init := s.InitialRegistration
	switch state {
	case RegInProgress:
		var p Obj
		if init.Result == agent.ResultPending {
			p.addTime("start-time", init.At, c)
		}
		r.add("registration-in-progress", p)
	case RegRetry:
		var p Obj
		p.addTime("retry-next-time", s.NextRegistrationAttempt, c)
		p.addTime("fail-time", init.At, c)
		p.add("fail-message", init.Reason)
		r.add("registration-retry", p)
	case RegFailed:
		var p Obj
		p.addTime("fail-time", init.At, c)
		p.add("fail-message", init.Reason)
		r.add("registration-failed", p)
	case RegComplete:
		var p Obj
		p.addTime("complete-time", init.At, c)
		p.addTime("last-renew-time", s.LastRenewal.At, c)
		p.addTime("next-renew-time", s.NextRenewalAttempt, c)
		p.addTime("expire-time", s.RegistrationExpires, c)
		p.add("last-renew-success", s.LastRenewal.Result != agent.ResultFailed)
		if s.LastRenewal.Reason != "" {
			p.add("fail-message", s.LastRenewal.Reason)
		}
		p.add("smart-account", s.SmartAccount)
		p.add("virtual-account", s.VirtualAccount)
		r.add("registration-complete", p)
	}
	return r
}

func authorization(s agent.Status, c ios.Clock) Obj {
	state := AuthorizationState(s.Authorization)
	a := Obj{{"authorization-state", state}}
	comm := func() Obj {
		last := s.LastCommunication
		p := Obj{{"last-comm-status-success", last.Result != agent.ResultFailed}}
		if last.Reason != "" {
			p.add("fail-message", last.Reason)
		}
		p.addTime("last-comm-time", last.At, c)
		p.addTime("next-comm-time", s.NextCommunicationAttempt, c)
		p.addTime("comm-deadline-time", s.CommunicationDeadline, c)
		return p
	}
	switch state {
	case AuthNone:
		a.add("authorization-none", Obj{})
	case AuthEval:
		a.add("authorization-eval", Obj{{"seconds-left", strconv.FormatInt(int64(s.EvalRemaining/time.Second), 10)}})
	case AuthEvalExpired:
		var p Obj
		p.addTime("expire-time", s.AuthorizationSince, c)
		a.add("authorization-eval-expired", p)
	case AuthAuthorized:
		a.add("authorization-authorized", comm())
	case AuthAuthorizationExpired:
		a.add("authorization-authorization-expired", comm())
	case AuthOutOfCompliance:
		p := comm()
		p.addTime("ooc-time", s.AuthorizationSince, c)
		a.add("authorization-out-of-compliance", p)
	}
	return a
}

func evaluation(s agent.Status, c ios.Clock) Obj {
	left := s.EvalRemaining / time.Second
	e := Obj{
		{"eval-in-use", s.EvalRunning},
		{"eval-expired", left <= 0},
		{"eval-period-left", Obj{{"time-left", left}}},
	}
	if s.EvalRunning && left > 0 {
		e.add("eval-expire-time", Obj{{"expire-time", DateAndTime(s.Now.Add(s.EvalRemaining), c)}})
	}
	return e
}

// usage lists the licenses in use, keyed by their full entitlement tag.
func usage(s agent.Status) []Obj {
	var out []Obj
	for _, e := range s.Entitlements {
		if e.Count < 1 {
			continue
		}
		tag, short := e.Tag, e.Tag
		if ent, err := stackwise.LookupEntitlement(e.Tag); err == nil && ent.FullTag != "" {
			tag, short = ent.FullTag, ShortName(ent.FullTag)
		}
		u := Obj{{"entitlement-tag", tag}, {"short-name", short}}
		if e.Name != "" {
			u.add("license-name", e.Name)
			u.add("description", e.Description)
		}
		u.add("count", e.Count)
		u.add("enforcement-mode", EnforcementMode(e.Status))
		u.add("post-paid", false)
		out = append(out, u)
	}
	return out
}

// ShortName is the short name inside a full entitlement tag:
// "regid.2017-03.com.cisco.advantagek9,1.0_bd1d…" → "advantagek9".
func ShortName(fullTag string) string {
	s := fullTag
	if i := strings.LastIndex(s, "com.cisco."); i >= 0 {
		s = s[i+len("com.cisco."):]
	}
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	return s
}

// NativeVersion is what `native/version` answers: the major and minor
// release of the device's IOS-XE, "17.3" for 17.3.1.
func NativeVersion(v ios.View) string {
	ver := v.Topology.Version
	if ver.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d", ver.Major, ver.Minor)
}

// yangModules are the modules a served switch implements, as its YANG
// library (RFC 7895) lists them: the RESTCONF and library modules, the
// Smart Licensing model at the revision the ydk bundles carry, and the
// native model's 17.3 revision. [model: the native revision]
var yangModules = []struct{ name, revision, namespace string }{
	{"Cisco-IOS-XE-native", "2020-07-04", "http://cisco.com/ns/yang/Cisco-IOS-XE-native"},
	{Module, "2017-10-11", "http://cisco.com/ns/yang/cisco-smart-license"},
	{"ietf-restconf", "2017-01-26", "urn:ietf:params:xml:ns:yang:ietf-restconf"},
	{"ietf-yang-library", "2016-06-21", "urn:ietf:params:xml:ns:yang:ietf-yang-library"},
}

// ModulesState is ietf-yang-library's modules-state: each module with its
// revision, namespace and conformance, and a module-set-id that changes
// only when the list does.
func ModulesState() Obj {
	var list []Obj
	h := fnv.New64a()
	for _, m := range yangModules {
		h.Write([]byte(m.name + "@" + m.revision + ";"))
		list = append(list, Obj{{"name", m.name}, {"revision", m.revision}, {"namespace", m.namespace}, {"conformance-type", "implement"}})
	}
	return Obj{{"module-set-id", fmt.Sprintf("%016x", h.Sum64())}, {"module", list}}
}
