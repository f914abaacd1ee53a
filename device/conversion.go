package device

import (
	"errors"
	"fmt"
	"time"

	"github.com/slsim/slsim/license"
)

// Device Led Conversion (DLC): a Catalyst 3650/3850 on 16.9 or later,
// registered to CSSM, reports its traditional (Right-to-Use) licenses so
// that CSSM adds them to its virtual account as Smart licenses — once.

// The statuses of a device's conversion, as `show license status` prints
// them after "Status:". [model]
const (
	ConversionNotStarted = "Not started"
	ConversionInProgress = "In progress"
	ConversionDone       = "Successfully converted"
	ConversionFailed     = "Conversion failed"
	ConversionStopped    = "Stopped"
)

// Refusals of `license smart conversion start`. ErrNotRegistered's text
// is what the device prints, and what Cisco's Smart Licensing app checks
// for. [sla; model for the others]
var (
	//lint:ignore ST1005 the device prints these words, capital S and all
	ErrConversionNotRegistered = errors.New("Smart Agent not registered")
	ErrConversionPlatform      = errors.New("license conversion is not supported on this platform")
	ErrConversionDone          = errors.New("license conversion already completed")
	ErrNoConversion            = errors.New("no license conversion is in progress")
)

// Conversion is the state of the device's license conversion.
type Conversion struct {
	Status string    `json:"status,omitempty"` // "" is ConversionNotStarted
	At     time.Time `json:"at,omitzero"`      // when the status was reached
	Reason string    `json:"reason,omitempty"` // why it failed
}

// Conversion reports the device's conversion state.
func (d *Device) Conversion() Conversion {
	c := d.conv
	if c.Status == "" {
		c.Status = ConversionNotStarted
	}
	return c
}

// ConversionLines are the traditional licenses the device would convert:
// its license level on each switch, per port family (a 3850 stack at
// ipservices holds one IP Services Right-to-Use license per switch).
func (d *Device) ConversionLines() []license.Usage {
	if !d.topo.Platform().Legacy() {
		return nil
	}
	u, _ := d.topo.Usage()
	return u
}

// StartConversion is `license smart conversion start`: it checks that the
// device can convert and marks the conversion in progress; the world then
// delivers it to CSSM and reports the outcome with FinishConversion.
func (d *Device) StartConversion(now time.Time) error {
	switch {
	case !d.topo.Platform().Legacy():
		return ErrConversionPlatform
	case !d.ag.Mode().HasIDCert():
		return ErrConversionNotRegistered
	case d.conv.Status == ConversionDone:
		return ErrConversionDone
	case d.topo.Version.Compare(MinSmartVersion) < 0:
		return ErrConversionPlatform
	}
	d.conv = Conversion{Status: ConversionInProgress, At: now}
	d.log(now, "SMART_LIC", 5, "CONVERSION_START", "License conversion started for udi "+d.udi())
	return nil
}

// StopConversion is `license smart conversion stop`.
func (d *Device) StopConversion(now time.Time) error {
	if d.conv.Status != ConversionInProgress {
		return ErrNoConversion
	}
	d.conv = Conversion{Status: ConversionStopped, At: now}
	d.log(now, "SMART_LIC", 5, "CONVERSION_STOP", "License conversion stopped for udi "+d.udi())
	return nil
}

// FinishConversion records the outcome of a conversion in progress:
// failure is "" when CSSM converted the licenses, else why it did not.
func (d *Device) FinishConversion(now time.Time, failure string) {
	if d.conv.Status != ConversionInProgress {
		return
	}
	if failure != "" {
		d.conv = Conversion{Status: ConversionFailed, At: now, Reason: failure}
		d.log(now, "SMART_LIC", 3, "CONVERSION_FAILED", fmt.Sprintf("License conversion failed for udi %s: %s", d.udi(), failure))
		return
	}
	d.conv = Conversion{Status: ConversionDone, At: now}
	d.log(now, "SMART_LIC", 6, "CONVERSION_SUCCESS", "License conversion successful for udi "+d.udi())
}

func (d *Device) udi() string {
	u, _ := d.topo.UDI()
	return u.String()
}
