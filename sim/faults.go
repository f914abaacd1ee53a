package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fault kinds: changes to the network that a world applies at a time.
const (
	FaultEndpointDown = "endpoint-down" // Target: IP; On: down
	FaultBlockPort    = "block-port"    // Target: "ip:port"; On: blocked
	FaultDNSRecord    = "dns-record"    // Target: name; Value: IP (On) or removed (off)
	FaultVRFRoute     = "vrf-route"     // Target: VRF ("global" for the global table); Value: IP reachable from it (On) or not
	FaultIntercept    = "intercept"     // Target: proxy IP; On: breaks TLS open with Value as its CA
	FaultCSSMBusy     = "cssm-busy"     // Target: "cssm"; On: CSSM answers "try again" (seed scenario 2)
	// FaultSSHStrict makes a device's SSH server close the connection when
	// a client asks for the ssh-userauth service again before its next
	// authentication method (paramiko does; OpenSSH does not). Target:
	// device name. It shows why paramiko-based tools (netmiko, Ansible)
	// fail on some switches when the user has an SSH key, and that
	// `look_for_keys: false` cures it.
	FaultSSHStrict = "ssh-strict"
	// FaultCertReissued makes an endpoint present a certificate issued by
	// another CA (Value) than the one it had: a Transport Gateway's
	// certificate renewed under a new enterprise CA that the switches do
	// not trust yet. Target: the endpoint's IP; cleared, it presents its
	// own certificate again.
	FaultCertReissued = "cert-reissued"
)

// Fault is a scheduled change of the network, as data (so worlds save).
type Fault struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Target string    `json:"target"`
	Value  string    `json:"value,omitempty"`
	On     bool      `json:"on"`
}

// String describes the fault for the trace.
func (f Fault) String() string {
	verb := "clear"
	if f.On {
		verb = "set"
	}
	s := verb + " " + f.Kind + " " + f.Target
	if f.Value != "" {
		s += " " + f.Value
	}
	return s
}

// ScheduleFault queues a network change; faults at the same time apply in
// the order they were scheduled. One at or before the world's time applies
// at its next step.
func (w *World) ScheduleFault(f Fault) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("schedule fault: %w", err)
	}
	if f.At.Before(w.now) {
		f.At = w.now
	}
	i, _ := slices.BinarySearchFunc(w.faults, f.At, func(x Fault, t time.Time) int {
		if x.At.After(t) {
			return 1
		}
		return -1
	})
	w.faults = slices.Insert(w.faults, i, f)
	return nil
}

// SetFault applies a network change now.
func (w *World) SetFault(f Fault) error {
	f.At = w.now
	if err := w.apply(f); err != nil {
		return err
	}
	w.pump()
	return nil
}

func (f Fault) check() error {
	switch f.Kind {
	case FaultEndpointDown, FaultBlockPort, FaultDNSRecord, FaultVRFRoute, FaultIntercept, FaultCSSMBusy, FaultSSHStrict, FaultCertReissued:
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Target == "" {
		return fmt.Errorf("fault %s: no target", f.Kind)
	}
	if f.Kind == FaultCertReissued && f.On && f.Value == "" {
		return fmt.Errorf("fault %s %s: name the CA that re-issued the certificate", f.Kind, f.Target)
	}
	return nil
}

func (w *World) apply(f Fault) error {
	if err := f.check(); err != nil {
		return err
	}
	n := w.net
	switch f.Kind {
	case FaultEndpointDown:
		e, ok := n.Endpoint(f.Target)
		if !ok {
			return fmt.Errorf("fault %s: no endpoint %s", f.Kind, f.Target)
		}
		e.Down = f.On
	case FaultBlockPort:
		if f.On {
			n.Blocked[f.Target] = true
		} else {
			delete(n.Blocked, f.Target)
		}
	case FaultDNSRecord:
		if f.On {
			n.Records[strings.ToLower(f.Target)] = f.Value
		} else {
			delete(n.Records, strings.ToLower(f.Target))
		}
	case FaultVRFRoute:
		if f.Target == "global" {
			ips := slices.Clone(n.GlobalOnly)
			if len(ips) == 0 { // "everything": list it, to take one out
				for ip := range n.Endpoints {
					ips = append(ips, ip)
				}
			}
			ips = slices.DeleteFunc(ips, func(s string) bool { return s == f.Value })
			if f.On {
				ips = append(ips, f.Value)
			}
			slices.Sort(ips)
			n.GlobalOnly = ips
			break
		}
		ips := slices.DeleteFunc(slices.Clone(n.VRFs[f.Target]), func(s string) bool { return s == f.Value })
		if f.On {
			ips = append(ips, f.Value)
			slices.Sort(ips)
		}
		n.VRFs[f.Target] = ips
	case FaultCSSMBusy:
		if err := w.cssm.SetBusy(w.now, f.On); err != nil {
			return err
		}
	case FaultSSHStrict:
		d, ok := w.devs[f.Target]
		if !ok {
			return fmt.Errorf("fault %s: no device %s", f.Kind, f.Target)
		}
		d.SetStrictSSH(f.On)
	case FaultIntercept:
		e, ok := n.Endpoint(f.Target)
		if !ok {
			return fmt.Errorf("fault %s: no endpoint %s", f.Kind, f.Target)
		}
		e.Intercepts, e.ProxyCA = f.On, f.Value
	case FaultCertReissued:
		e, ok := n.Endpoint(f.Target)
		if !ok || e.Cert == nil {
			return fmt.Errorf("fault %s: no endpoint with a certificate at %s", f.Kind, f.Target)
		}
		e.ReissuedBy = ""
		if f.On {
			e.ReissuedBy = f.Value
		}
	}
	w.emit("world", EventFault, f.String())
	w.allDirty = true
	return nil
}
