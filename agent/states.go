package agent

import (
	"fmt"
	"strconv"
)

// Registration is the registration status line of `show license status`
// as a value: String gives the line ("REGISTERED"). The zero value is no
// status at all (a device not booted yet), which prints as "".
type Registration uint8

// Authorization is the authorization status line of `show license status`
// as a value: String gives the line ("AUTHORIZED"). The zero value is no
// status at all, which prints as "".
type Authorization uint8

// String is the status line.
func (r Registration) String() string {
	if r == 0 || int(r) > len(regStrings) {
		return ""
	}
	return regStrings[r-1]
}

// String is the status line.
func (a Authorization) String() string {
	if a == 0 || int(a) > len(authStrings) {
		return ""
	}
	return authStrings[a-1]
}

// ParseRegistration reads a registration status line ("" for none).
func ParseRegistration(s string) (Registration, error) {
	if s == "" {
		return 0, nil
	}
	for i, v := range regStrings {
		if v == s {
			return Registration(i + 1), nil
		}
	}
	return 0, fmt.Errorf("registration status %q: not one of `show license status`'s", s)
}

// ParseAuthorization reads an authorization status line ("" for none).
func ParseAuthorization(s string) (Authorization, error) {
	if s == "" {
		return 0, nil
	}
	for i, v := range authStrings {
		if v == s {
			return Authorization(i + 1), nil
		}
	}
	return 0, fmt.Errorf("authorization status %q: not one of `show license status`'s", s)
}

// MarshalText writes the status line.
func (r Registration) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a status line.
func (r *Registration) UnmarshalText(b []byte) error {
	v, err := ParseRegistration(string(b))
	if err == nil {
		*r = v
	}
	return err
}

// MarshalText writes the status line.
func (a Authorization) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads a status line.
func (a *Authorization) UnmarshalText(b []byte) error {
	v, err := ParseAuthorization(string(b))
	if err == nil {
		*a = v
	}
	return err
}

// GoString names the value for %#v.
func (r Registration) GoString() string {
	return "agent.Registration(" + strconv.Quote(r.String()) + ")"
}

// GoString names the value for %#v.
func (a Authorization) GoString() string {
	return "agent.Authorization(" + strconv.Quote(a.String()) + ")"
}

// State returns the two status lines of `show license` as values.
func (a *Agent) State() (Registration, Authorization) {
	auth, _ := ParseAuthorization(a.authStatus)
	return Registration(a.c.Mode().RegState() + 1), auth
}
