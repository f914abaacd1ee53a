package license

import (
	"fmt"
	"strings"
)

// UDI is a Cisco unique device identifier: product ID and serial number, as
// printed by `show license udi` and carried in every Smart Licensing message.
type UDI struct {
	PID string // product ID, e.g. C9300-24P
	SN  string // serial number, e.g. FOC2133Z0AB
}

// Limits on the parts of a UDI. Real PIDs are at most 18 characters and real
// serial numbers 11; the limits leave room for virtual platforms. [model]
const (
	maxPIDLen = 40
	maxSNLen  = 40
)

// ParseUDI reads a UDI in the form IOS prints it: "PID:C9300-24P,SN:FOC2133Z0AB".
// Spaces around the parts are allowed ("PID:XXX, SN: XXX" appears in logs).
func ParseUDI(s string) (UDI, error) {
	pidPart, snPart, ok := strings.Cut(s, ",")
	if !ok {
		return UDI{}, fmt.Errorf("parse UDI %q: want PID:<pid>,SN:<serial>", s)
	}
	pid, ok := strings.CutPrefix(strings.TrimSpace(pidPart), "PID:")
	if !ok {
		return UDI{}, fmt.Errorf("parse UDI %q: missing PID: prefix", s)
	}
	sn, ok := strings.CutPrefix(strings.TrimSpace(snPart), "SN:")
	if !ok {
		return UDI{}, fmt.Errorf("parse UDI %q: missing SN: prefix", s)
	}
	u := UDI{PID: strings.TrimSpace(pid), SN: strings.TrimSpace(sn)}
	if err := u.Validate(); err != nil {
		return UDI{}, fmt.Errorf("parse UDI %q: %w", s, err)
	}
	return u, nil
}

// Validate reports whether both parts are present and use only the
// characters real PIDs and serial numbers use.
func (u UDI) Validate() error {
	if err := checkPart("PID", u.PID, maxPIDLen, "-_./+"); err != nil {
		return err
	}
	return checkPart("SN", u.SN, maxSNLen, "")
}

// String formats the UDI as IOS prints it.
func (u UDI) String() string {
	var b [96]byte // the longest valid UDI fits: the one copy is the string's
	return string(u.AppendString(b[:0]))
}

// AppendString appends the UDI as IOS prints it to b (no allocation when b
// has room).
func (u UDI) AppendString(b []byte) []byte {
	b = append(b, "PID:"...)
	b = append(b, u.PID...)
	b = append(b, ",SN:"...)
	return append(b, u.SN...)
}

func checkPart(name, v string, maxLen int, extra string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", name)
	}
	if len(v) > maxLen {
		return fmt.Errorf("%s %q is longer than %d characters", name, v, maxLen)
	}
	for _, r := range v {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case strings.ContainsRune(extra, r):
		default:
			return fmt.Errorf("%s %q has the character %q, which UDIs do not use", name, v, r)
		}
	}
	return nil
}
