package exercise

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// kind is one rule kind: how many arguments it takes, and its answer when
// the rule does not hold ({arg} is the first argument, {value} what the
// world shows).
type kind struct {
	args     [2]int // least, most
	usage    string
	fail     Text
	evaluate func(r Rule, j judge) (bool, string)
}

// judge is what a rule is judged on.
type judge struct {
	run  *Run
	rule int // the rule's place in the exercise (a did rule's flag)
	w    *sim.World
	d    *device.Device
	st   agent.Status
	cfg  device.Config
}

var kinds = map[string]kind{
	"registered": {usage: "registered",
		fail: Text{En: "not registered: the registration status is {value}", Ja: "登録されていません。登録状態は {value} です"},
		evaluate: func(_ Rule, j judge) (bool, string) {
			return j.st.Registration == agent.RegRegistered, j.st.Registration
		}},
	"authorized": {usage: "authorized",
		fail: Text{En: "not authorized: the authorization status is {value}", Ja: "承認されていません。承認状態は {value} です"},
		evaluate: func(_ Rule, j judge) (bool, string) {
			return j.st.Authorization == agent.AuthAuthorized, j.st.Authorization
		}},
	"communicated": {usage: "communicated",
		fail: Text{En: "the last communication with CSSM did not succeed ({value})", Ja: "CSSM との最後の通信が成功していません（{value}）"},
		evaluate: func(_ Rule, j judge) (bool, string) {
			a := j.st.LastCommunication
			if a.Result == agent.ResultSucceeded {
				return true, ""
			}
			if a.Reason != "" {
				return false, a.Reason
			}
			return false, "none yet"
		}},
	"saved": {usage: "saved",
		fail:     Text{En: "the configuration is not saved: a reload would lose it (write memory)", Ja: "設定が保存されていません。リロードすると失われます（write memory）"},
		evaluate: func(_ Rule, j judge) (bool, string) { return j.d.Saved(), "" }},
	"va": {args: [2]int{1, 1}, usage: "va <virtual account>",
		fail: Text{En: "CSSM does not list the switch in the virtual account {arg} ({value})", Ja: "CSSM の仮想アカウント {arg} にこのスイッチがありません（{value}）"},
		evaluate: func(r Rule, j judge) (bool, string) {
			sa := j.st.SmartAccount
			if sa == "" {
				sa = scenario.Account
			}
			udi := j.d.Agent().UDI()
			vas, _ := j.w.CSSM().VirtualAccounts(sa)
			for _, v := range vas {
				va := v.Name
				rows, err := j.w.CSSM().Instances(sa, va)
				if err != nil {
					continue
				}
				if slices.ContainsFunc(rows, func(row cssm.InstanceRow) bool { return row.SN == udi.SN && row.PID == udi.PID }) {
					return va == r.Args[0], "it is in " + va
				}
			}
			return false, "it is in none"
		}},
	"via": {args: [2]int{1, 1}, usage: "via direct|proxy|satellite|transport-gateway",
		fail: Text{En: "the switch should reach CSSM {arg}; its messages go {value}", Ja: "スイッチは{arg}で CSSM に接続する必要があります（現在: {value}）"},
		evaluate: func(r Rule, j judge) (bool, string) {
			path := j.run.path(j)
			return path == r.Args[0], path
		}},
	"source-interface": {args: [2]int{1, 1}, usage: "source-interface <interface>",
		fail: Text{En: "the HTTP client's source interface is {value}, not {arg}", Ja: "HTTP クライアントの送信元インターフェースは {value} で、{arg} ではありません"},
		evaluate: func(r Rule, j judge) (bool, string) {
			v := j.cfg.SourceInterface
			if v == "" {
				v = "not set"
			}
			return strings.EqualFold(j.cfg.SourceInterface, r.Args[0]), v
		}},
	"ntp": {usage: "ntp",
		fail: Text{En: "the clock is not set by NTP: {value}", Ja: "時刻が NTP で合わせられていません: {value}"},
		evaluate: func(_ Rule, j judge) (bool, string) {
			off, _ := j.d.Clock()
			switch {
			case len(j.cfg.NTPServers) == 0:
				return false, "no ntp server configured"
			case off != 0:
				return false, fmt.Sprintf("the clock is %s off", off.Round(1e9))
			}
			return true, ""
		}},
	// revocation-check <tp> none holds when the trustpoint opens sessions
	// without the CRL ("none", or "crl none": the CRL when it can be had);
	// crl when it insists on it.
	"revocation-check": {args: [2]int{2, 2}, usage: "revocation-check <trustpoint> none|crl",
		fail: Text{En: "trustpoint {arg} checks revocation by '{value}'", Ja: "トラストポイント {arg} の失効確認は '{value}' です"},
		evaluate: func(r Rule, j judge) (bool, string) {
			tp := j.cfg.Trustpoint(r.Args[0])
			if tp == nil {
				return false, "gone (the trustpoint was removed)"
			}
			if r.Args[1] == "none" {
				return tp.RevocationCheck == "none" || tp.RevocationCheck == "crl none", tp.RevocationCheck
			}
			return tp.RevocationCheck == "crl", tp.RevocationCheck
		}},
	"trusts": {args: [2]int{1, 1}, usage: "trusts <CA name>",
		fail: Text{En: "no trustpoint holds the CA certificate of {arg}", Ja: "{arg} の CA 証明書を持つトラストポイントがありません"},
		evaluate: func(r Rule, j judge) (bool, string) {
			return slices.ContainsFunc(j.cfg.Trustpoints, func(t device.Trustpoint) bool { return strings.EqualFold(t.CA, r.Args[0]) }), ""
		}},
	"reports": {args: [2]int{1, 1}, usage: "reports <call-home profile>",
		fail: Text{En: "the call-home profile {arg} is not active or does not report smart-licensing data", Ja: "call-home プロファイル {arg} が有効でないか、smart-licensing-data を報告していません"},
		evaluate: func(r Rule, j judge) (bool, string) {
			p := j.cfg.Profile(r.Args[0])
			return p != nil && p.Active && p.ReportsSmartLicensing, ""
		}},
	"version": {args: [2]int{1, 1}, usage: "version <release> (at least)",
		fail: Text{En: "the switch runs {value}, not {arg} or later", Ja: "スイッチのバージョンは {value} で、{arg} 以降ではありません"},
		evaluate: func(r Rule, j judge) (bool, string) {
			want, _ := stackwise.ParseVersion(r.Args[0])
			have := j.d.Topology().Version
			return have.Compare(want) >= 0, have.String()
		}},
	"converted": {usage: "converted",
		fail: Text{En: "CSSM has no Device Led Conversion of this switch", Ja: "CSSM にこのスイッチのデバイス主導変換（DLC）の記録がありません"},
		evaluate: func(_ Rule, j judge) (bool, string) {
			udi := j.d.Agent().UDI().String()
			for _, c := range j.w.CSSM().Conversions(scenario.Account) {
				if c.Method == cssm.MethodDLC && c.Source == udi {
					return true, ""
				}
			}
			return false, ""
		}},
	"did": {args: [2]int{1, 1}, usage: "did <the action's words> (cssm:<words> for CSSM's)",
		fail:     Text{En: "not done the field guide's way: {arg}", Ja: "フィールドガイドの手順が実行されていません: {arg}"},
		evaluate: func(_ Rule, j judge) (bool, string) { return j.run.did[j.rule], "" }},
}

// pathWords say where a switch's messages go, for the via rule.
var pathWords = map[string]Text{
	"direct":            {En: "directly to CSSM", Ja: "CSSM へ直接"},
	"proxy":             {En: "through the HTTP proxy", Ja: "HTTP プロキシ経由"},
	"satellite":         {En: "through a satellite", Ja: "サテライト経由"},
	"transport-gateway": {En: "through a Transport Gateway", Ja: "Transport Gateway 経由"},
	"":                  {En: "nowhere yet", Ja: "まだどこにも届いていません"},
}

// Kinds lists the rule kinds an exercise file's check lines take.
func Kinds() []string {
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (r Rule) check() error {
	k, ok := kinds[r.Kind]
	if !ok {
		return fmt.Errorf("check %q: unknown rule (%s)", r.Kind, strings.Join(Kinds(), ", "))
	}
	if len(r.Args) < k.args[0] || len(r.Args) > k.args[1] || (r.Kind == "did" || r.Kind == "trusts") && r.Args[0] == "" {
		return fmt.Errorf("check %s: want %s", r.Kind, k.usage)
	}
	switch r.Kind {
	case "via":
		if _, ok := pathWords[r.Args[0]]; !ok || r.Args[0] == "" {
			return fmt.Errorf("check via %q: want direct, proxy, satellite or transport-gateway", r.Args[0])
		}
	case "revocation-check":
		if r.Args[1] != "none" && r.Args[1] != "crl" {
			return fmt.Errorf("check revocation-check %s %q: want none or crl", r.Args[0], r.Args[1])
		}
	case "version":
		if _, err := stackwise.ParseVersion(r.Args[0]); err != nil {
			return fmt.Errorf("check version: %w", err)
		}
	}
	return nil
}

// message is the rule's answer when it does not hold.
func (r Rule) message(lang Lang, value string) string {
	t := r.Msg
	if t == (Text{}) {
		t = kinds[r.Kind].fail
	}
	arg := strings.Join(r.Args, " ")
	if r.Kind == "via" { // paths in words
		arg, value = pathWords[arg].In(lang), pathWords[value].In(lang)
	}
	return strings.NewReplacer("{arg}", arg, "{value}", value).Replace(t.In(lang))
}

// path says how the switch reaches CSSM now: through a satellite when a
// satellite answered its last message; else through the proxy when
// call-home has one; else through a Transport Gateway or directly, by the
// endpoint its last message was sent to. "" before any answer.
func (r *Run) path(j judge) string {
	switch {
	case r.lastPeer == "":
		return ""
	case r.lastPeer != "cssm":
		return "satellite"
	case j.cfg.HTTPProxy != "":
		return "proxy"
	}
	u, err := url.Parse(r.lastURL)
	if err != nil {
		return "direct"
	}
	ip, ok := j.d.Resolve(strings.ToLower(u.Hostname()), j.w.Network())
	if ep, found := j.w.Network().Endpoint(ip); ok && found && ep.Kind == netsim.KindTransportGateway {
		return "transport-gateway"
	}
	return "direct"
}
