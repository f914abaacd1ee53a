// Package scenario builds ready-made worlds: a healthy lab (a smart account
// with licenses, a token and a registered C9300 stack), and the nine
// failure scenarios of the field guide, each reproducible from its cause,
// showing the guide's symptoms, and cured by the guide's fix.
package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// The lab's names.
const (
	Account = "ACME Corporation"
	VA      = "Campus"
	Switch  = "sw1"
)

// Start is when every lab begins.
var Start = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)

// Lab is a world with one switch and what a trainee needs to act on it.
type Lab struct {
	World  *sim.World
	Device string
	Token  string     // a valid token of the Campus virtual account
	mark   sim.Cursor // stream position of the last Section
	out    strings.Builder
}

// Stack is the lab's switch: a stack of two C9300-24P at Network
// Advantage with DNA Advantage, IOS-XE 17.3.1.
func Stack() stackwise.Device {
	return stackwise.Device{
		Name:     Switch,
		Switches: []stackwise.Unit{{PID: "C9300-24P", SN: "FOC2133Z0AB"}, {PID: "C9300-24P", SN: "FOC2133Z0AC"}},
		Level:    stackwise.Level{Base: stackwise.NetworkAdvantage, Addon: stackwise.DNAAdvantage},
		Version:  stackwise.MustVersion("17.3.1"),
	}
}

// newAccountWorld is a world whose CSSM holds the lab's smart account
// (acme.com) with its Campus virtual account, and no devices yet.
func newAccountWorld(seed uint64) (*sim.World, error) {
	w, err := sim.New(sim.Config{Start: Start, Seed: seed})
	if err != nil {
		return nil, err
	}
	c := w.CSSM()
	if err := c.CreateSmartAccount(Start, Account, "acme.com"); err != nil {
		return nil, err
	}
	if err := c.CreateVirtualAccount(Start, Account, VA, "Campus switches"); err != nil {
		return nil, err
	}
	return w, nil
}

// NewLab builds the base lab: the CSSM account with ten of each license
// the stack needs in the Campus VA, a token, and the switch booted with a
// name server configured and saved. Nothing is registered yet.
func NewLab(seed uint64) (*Lab, error) {
	w, err := newAccountWorld(seed)
	if err != nil {
		return nil, err
	}
	c := w.CSSM()
	if _, err := c.AddLicenses(Start, Account, VA, "C9300-24 Network Advantage", 10, time.Time{}, time.Time{}); err != nil {
		return nil, err
	}
	if _, err := c.AddLicenses(Start, Account, VA, "C9300-24 DNA Advantage", 10, Start, Start.AddDate(3, 0, 0)); err != nil {
		return nil, err
	}
	tok, err := c.CreateToken(Start, Account, VA, cssm.TokenOptions{Description: "lab", ExpiresAfterDays: 365, ExportControlled: true})
	if err != nil {
		return nil, err
	}
	if _, err := w.AddDevice(Stack(), nil); err != nil {
		return nil, err
	}
	if err := w.Configure(Switch, "ip name-server "+netsim.DNSIP, func(c *device.Config) error {
		c.NameServers = append(c.NameServers, device.NameServer{IP: netsim.DNSIP})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := w.WriteMemory(Switch); err != nil {
		return nil, err
	}
	return &Lab{World: w, Device: Switch, Token: tok.Value}, nil
}

// RegisterHealthy registers the switch, saves the configuration and lets
// the first authorization come back: REGISTERED / AUTHORIZED.
func (l *Lab) RegisterHealthy() error {
	if _, err := l.World.Register(l.Device, l.Token, false); err != nil {
		return err
	}
	if err := l.World.RunFor(time.Minute); err != nil {
		return err
	}
	if err := l.World.WriteMemory(l.Device); err != nil {
		return err
	}
	if s := l.Status(); s.Authorization != agent.AuthAuthorized {
		return fmt.Errorf("lab: registration ended %s / %s", s.Registration, s.Authorization)
	}
	return nil
}

// Status is the switch's agent status.
func (l *Lab) Status() agent.Status {
	d, _ := l.World.Device(l.Device)
	return d.Agent().Status()
}

// ShowLicenseStatus renders `show license status` on the switch, dates on
// its clock.
func (l *Lab) ShowLicenseStatus() string {
	d, _ := l.World.Device(l.Device)
	off, _ := d.Clock()
	return ios.ShowLicenseStatus(d.Agent().Status(), ios.StatusInfo{Clock: ios.Clock{Offset: off, Zone: d.Running().Zone()}})
}

// Section appends to the transcript a heading and the switch's trace lines
// (actions, logs, state changes, transport outcomes) since the last section.
func (l *Lab) Section(title string) {
	evs, next, missed := l.World.Events(l.mark)
	fmt.Fprintf(&l.out, "## %s\n", title)
	if missed > 0 {
		fmt.Fprintf(&l.out, "(%d earlier events are no longer in the world's window)\n", missed)
	}
	for _, e := range evs {
		if e.Source == l.Device || e.Source == "world" || e.Kind == sim.EventAlert || (e.Source == "cssm" && e.Kind == sim.EventAction) {
			l.out.WriteString(e.String() + "\n")
		}
	}
	l.mark = next
}

// Show appends `show license status` to the transcript.
func (l *Lab) Show() {
	fmt.Fprintf(&l.out, "## %s# show license status\n%s", l.Device, l.ShowLicenseStatus())
}

// Transcript is what the lab wrote so far.
func (l *Lab) Transcript() string { return l.out.String() }
