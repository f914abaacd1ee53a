package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
)

// Do runs an operation on a device at the world's time, records it in the
// trace, and moves the device's outputs into the world. It returns what
// the operation printed.
func (w *World) Do(name, what string, op func(d *device.Device, now time.Time) (string, error)) (string, error) {
	d, ok := w.devs[name]
	if !ok {
		return "", fmt.Errorf("no device %q", name)
	}
	w.emit(name, EventAction, what)
	w.touch(name, d)
	out, err := op(d, w.now)
	if err != nil {
		w.emit(name, EventAction, "refused: "+err.Error())
	}
	w.pump()
	return out, err
}

// Register runs `license smart register idtoken <token> [force]` on a device.
func (w *World) Register(name, token string, force bool) (string, error) {
	what := "license smart register idtoken <token>"
	if force {
		what += " force"
	}
	return w.Do(name, what, func(d *device.Device, now time.Time) (string, error) { return d.Register(now, token, force) })
}

// Deregister runs `license smart deregister`.
func (w *World) Deregister(name string) error {
	_, err := w.Do(name, "license smart deregister", func(d *device.Device, now time.Time) (string, error) { return "", d.Deregister(now) })
	return err
}

// RenewAuth runs `license smart renew auth`.
func (w *World) RenewAuth(name string) error {
	_, err := w.Do(name, "license smart renew auth", func(d *device.Device, now time.Time) (string, error) { return "", d.RenewAuth(now) })
	return err
}

// RenewID runs `license smart renew id`.
func (w *World) RenewID(name string) error {
	_, err := w.Do(name, "license smart renew id", func(d *device.Device, now time.Time) (string, error) { return "", d.RenewID(now) })
	return err
}

// Configure edits a device's running configuration (what names the change
// in the trace, e.g. "ip host tools.cisco.com 203.0.113.10").
func (w *World) Configure(name, what string, edit func(c *device.Config) error) error {
	_, err := w.Do(name, what, func(d *device.Device, now time.Time) (string, error) { return "", d.Configure(now, edit) })
	return err
}

// WriteMemory runs `write memory`.
func (w *World) WriteMemory(name string) error {
	_, err := w.Do(name, "write memory", func(d *device.Device, now time.Time) (string, error) { return "", d.WriteMemory(now) })
	return err
}

// Reload reloads a device.
func (w *World) Reload(name string) error {
	_, err := w.Do(name, "reload", func(d *device.Device, now time.Time) (string, error) { return "", d.Reload(now) })
	return err
}

// Install runs `install add file <image> activate commit`: the device
// reloads into the image's release.
func (w *World) Install(name, image string) error {
	_, err := w.Do(name, "install add file "+image+" activate commit", func(d *device.Device, now time.Time) (string, error) { return "", d.Install(now, image) })
	return err
}

// StartConversion runs `license smart conversion start` on a 3650/3850:
// the device reports its traditional licenses to the CSSM it is
// registered to, which adds them to the device's virtual account once.
// The report takes the device's Call Home path: a path that fails its
// renewals fails the conversion too, and a device registered to a
// satellite cannot convert through it. [model]
func (w *World) StartConversion(name string) error {
	_, err := w.Do(name, "license smart conversion start", func(d *device.Device, now time.Time) (string, error) {
		if err := d.StartConversion(now); err != nil {
			return "", err
		}
		st := d.Agent().Status()
		var lines []cssm.ConversionLine
		for _, u := range d.ConversionLines() {
			lines = append(lines, cssm.ConversionLine{Tag: u.Tag, Count: u.Count})
		}
		// The report travels as the device's Smart Licensing messages do:
		// a broken path fails it as it fails a renewal.
		o := d.Route(now, license.Authorize{UDI: d.Agent().UDI(), Usage: d.ConversionLines()}, w.net)
		switch {
		case o.Failure != nil:
			d.FinishConversion(now, o.Failure.Reason)
		case !o.Deliver:
			d.FinishConversion(now, license.ReasonSendFailed)
		case o.Backend != "cssm":
			d.FinishConversion(now, "conversion through a satellite is not supported") // [model]
		default:
			failure := ""
			if err := w.cssm.ConvertDevice(now, st.SmartAccount, st.VirtualAccount, cssm.MethodDLC, d.Agent().UDI(), lines); err != nil {
				failure = strings.TrimPrefix(err.Error(), cssm.ErrInvalid.Error()+": ")
			}
			d.FinishConversion(now, failure)
		}
		return "", nil
	})
	return err
}

// StopConversion runs `license smart conversion stop`.
func (w *World) StopConversion(name string) error {
	_, err := w.Do(name, "license smart conversion stop", func(d *device.Device, now time.Time) (string, error) { return "", d.StopConversion(now) })
	return err
}

// Failover switches a device's active unit over to its standby.
func (w *World) Failover(name string) error {
	_, err := w.Do(name, "redundancy force-switchover", func(d *device.Device, now time.Time) (string, error) { return "", d.Failover(now) })
	return err
}

// SetClock runs `clock set` on a device: its clock shows deviceTime now.
func (w *World) SetClock(name string, deviceTime time.Time) error {
	_, err := w.Do(name, "clock set "+deviceTime.UTC().Format("15:04:05 Jan 2 2006"), func(d *device.Device, now time.Time) (string, error) {
		return "", d.SetClock(now, deviceTime)
	})
	return err
}

// RegenerateKey regenerates a device's SLA-KeyPair over the existing one.
func (w *World) RegenerateKey(name string) error {
	_, err := w.Do(name, "crypto key generate rsa label SLA-KeyPair modulus 2048", func(d *device.Device, now time.Time) (string, error) {
		return "", d.RegenerateKey(now)
	})
	return err
}

// ActOnCSSM runs an operator's action on the world's CSSM (a license
// transfer, an added or removed license) at the world's time: the action
// is recorded in the trace, and the alerts it raises or clears follow it
// at once, so a transcript reads in the order things happened.
func (w *World) ActOnCSSM(what string, op func(c *cssm.CSSM, now time.Time) error) error {
	w.emit("cssm", EventAction, what)
	err := op(w.cssm, w.now)
	if err != nil {
		w.emit("cssm", EventAction, "refused: "+err.Error())
	}
	w.pumpAlerts()
	return err
}
