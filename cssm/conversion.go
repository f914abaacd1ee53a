package cssm

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
)

// A smart account's traditional licenses and their conversion to Smart
// Licensing: Product Activation Keys (PAKs) converted from CSSM ("Convert
// PAKs"), and a device's licenses converted by the device itself (Device
// Led Conversion) or from CSSM ("Convert Licenses"). Each conversion adds
// perpetual licenses to a virtual account and a line to the Conversion
// History; a quantity converted once cannot be converted again.

// PAKLine is one SKU of a PAK: the Smart entitlement it converts to, how
// many it holds and how many were converted.
type PAKLine struct {
	SKU       string `json:"sku"`
	Tag       string `json:"entitlementTag"`
	Quantity  int    `json:"quantity"`
	Converted int    `json:"converted"`
}

// PAK is a Product Activation Key of a smart account, as Convert PAKs
// lists it.
type PAK struct {
	ID          string    `json:"pak"`
	SA          string    `json:"smartAccount"`
	OrderNumber string    `json:"orderNumber"`
	OrderDate   time.Time `json:"orderDate"`
	VA          string    `json:"virtualAccount"`
	Lines       []PAKLine `json:"skus"`
}

// Status is "Available", "Partially Converted" or "Converted".
func (p PAK) Status() string {
	conv, all := 0, 0
	for _, l := range p.Lines {
		conv += l.Converted
		all += l.Quantity
	}
	switch {
	case conv == 0:
		return "Available"
	case conv < all:
		return "Partially Converted"
	}
	return "Converted"
}

// ConversionLine is one traditional license a device reports for
// conversion: the Smart entitlement it becomes and how many.
type ConversionLine struct {
	Tag   string `json:"entitlementTag"`
	Count int    `json:"count"`
}

// Conversion is one line of the Conversion History.
type Conversion struct {
	Time     time.Time `json:"time"`
	SA       string    `json:"smartAccount"`
	Method   string    `json:"method"` // PAK, Device Led Conversion, Convert Licenses
	Source   string    `json:"source"` // the PAK or the device's UDI
	VA       string    `json:"virtualAccount"`
	Licenses []string  `json:"licenses"` // "2 C3850 24P IP Services"
	Status   string    `json:"status"`   // Converted
}

// Conversion methods.
const (
	MethodPAK    = "PAK"
	MethodDLC    = "Device Led Conversion"
	MethodDevice = "Convert Licenses"
)

// ErrAlreadyConverted refuses a second conversion of the same licenses.
var ErrAlreadyConverted = fmt.Errorf("%w: already converted", ErrInvalid)

type conversions struct {
	paks    map[string]*PAK
	devices map[string]bool // UDIs whose licenses were converted
	history []Conversion
}

func (r *registry) conv() *conversions {
	if r.cv == nil {
		r.cv = &conversions{paks: map[string]*PAK{}, devices: map[string]bool{}}
	}
	return r.cv
}

// AddPAK gives a smart account a PAK (as an order would).
func (c *CSSM) AddPAK(now time.Time, sa string, p PAK) error {
	return c.op(now, func() error {
		r := c.r
		if _, _, err := r.va(sa, p.VA); err != nil {
			return err
		}
		if err := checkName("PAK", p.ID); err != nil {
			return err
		}
		if _, dup := r.conv().paks[p.ID]; dup {
			return fmt.Errorf("%w: PAK %s exists", ErrInvalid, p.ID)
		}
		if len(p.Lines) == 0 {
			return fmt.Errorf("%w: PAK %s has no SKU", ErrInvalid, p.ID)
		}
		for i, l := range p.Lines {
			if err := r.checkTag(l.Tag); err != nil {
				return err
			}
			if l.Quantity < 1 || l.Quantity > MaxQuantity || l.Converted != 0 || l.SKU == "" {
				return fmt.Errorf("%w: PAK %s line %d", ErrInvalid, p.ID, i+1)
			}
		}
		if p.OrderDate.IsZero() {
			p.OrderDate = r.now
		}
		p.Lines = slices.Clone(p.Lines)
		p.SA = sa
		pc := p
		r.conv().paks[p.ID] = &pc
		r.log(sa, p.VA, "PAK %s was added (order %s).", p.ID, p.OrderNumber)
		return nil
	})
}

// PAKs lists a smart account's PAKs, by ID.
func (c *CSSM) PAKs(sa string) []PAK {
	var out []PAK
	if c.r.cv == nil {
		return nil
	}
	for _, p := range c.r.cv.paks {
		if p.SA == sa {
			pc := *p
			pc.Lines = slices.Clone(p.Lines)
			out = append(out, pc)
		}
	}
	slices.SortFunc(out, func(a, b PAK) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// ConvertPAK converts quantities of a PAK's SKUs (all that is left when
// qty is nil) into perpetual Smart licenses of a virtual account.
func (c *CSSM) ConvertPAK(now time.Time, sa, id, va string, qty map[string]int) error {
	return c.op(now, func() error {
		r := c.r
		if _, _, err := r.va(sa, va); err != nil {
			return err
		}
		p, ok := r.conv().paks[id]
		if !ok || p.SA != sa {
			return fmt.Errorf("PAK %s: %w", id, ErrNotFound)
		}
		take := map[int]int{}
		for i, l := range p.Lines {
			left := l.Quantity - l.Converted
			n := left
			if qty != nil {
				q, asked := qty[l.SKU]
				if !asked {
					continue
				}
				if q < 1 || q > left {
					if left == 0 {
						return fmt.Errorf("PAK %s SKU %s: %w", id, l.SKU, ErrAlreadyConverted)
					}
					return fmt.Errorf("%w: PAK %s SKU %s: convert 1 to %d, not %d", ErrInvalid, id, l.SKU, left, q)
				}
				n = q
			}
			if n > 0 {
				take[i] = n
			}
		}
		for sku := range qty {
			if !slices.ContainsFunc(p.Lines, func(l PAKLine) bool { return l.SKU == sku }) {
				return fmt.Errorf("PAK %s has no SKU %s: %w", id, sku, ErrNotFound)
			}
		}
		if len(take) == 0 {
			return fmt.Errorf("PAK %s: %w", id, ErrAlreadyConverted)
		}
		var lines []ConversionLine
		for i := range p.Lines {
			if n, ok := take[i]; ok {
				lines = append(lines, ConversionLine{Tag: p.Lines[i].Tag, Count: n})
			}
		}
		lics, err := r.convert(sa, va, MethodPAK, "PAK "+id, lines)
		if err != nil {
			return err
		}
		for i, n := range take {
			p.Lines[i].Converted += n
		}
		r.log(sa, va, "PAK %s was converted to Smart Licensing: %s.", id, lics)
		return nil
	})
}

// ConvertDevice converts a device's traditional licenses into perpetual
// Smart licenses of a virtual account: Device Led Conversion when the
// device reports them (method MethodDLC), Convert Licenses from CSSM
// (MethodDevice). A device is converted once.
func (c *CSSM) ConvertDevice(now time.Time, sa, va, method string, udi license.UDI, lines []ConversionLine) error {
	return c.op(now, func() error {
		r := c.r
		if _, _, err := r.va(sa, va); err != nil {
			return err
		}
		if err := udi.Validate(); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if method != MethodDLC && method != MethodDevice {
			return fmt.Errorf("%w: conversion method %q", ErrInvalid, method)
		}
		if len(lines) == 0 {
			return fmt.Errorf("%w: %s reports no licenses to convert", ErrInvalid, udi)
		}
		for _, l := range lines {
			if err := r.checkTag(l.Tag); err != nil {
				return err
			}
			if l.Count < 1 || l.Count > MaxQuantity {
				return fmt.Errorf("%w: count %d", ErrInvalid, l.Count)
			}
		}
		if r.conv().devices[udi.String()] {
			return fmt.Errorf("%s: %w", udi, ErrAlreadyConverted)
		}
		// CSSM converts what a registered product instance of the account
		// reported using, and no more: not licenses for a device it has
		// never seen, nor more than the device has.
		inst := r.insts[udi.String()]
		if inst == nil || inst.sa() != sa {
			return fmt.Errorf("%w: %s is not a registered product instance of %s", ErrNotFound, udi, sa)
		}
		for _, l := range lines {
			reported := 0
			for _, u := range inst.Usage {
				if u.Tag == l.Tag {
					reported += u.Count
				}
			}
			if l.Count > reported {
				return fmt.Errorf("%w: %s reported %d %s, not %d to convert", ErrInvalid, udi, reported, l.Tag, l.Count)
			}
		}
		lics, err := r.convert(sa, va, method, udi.String(), lines)
		if err != nil {
			return err
		}
		r.conv().devices[udi.String()] = true
		r.log(sa, va, "The licenses of %s were converted to Smart Licensing (%s): %s.", udi, method, lics)
		return nil
	})
}

// convert adds the lines as perpetual licenses of a virtual account and
// records the conversion in the history; it returns the licenses as the
// history lists them, joined ("2 C3850 24P IP Services, …").
func (r *registry) convert(sa, va, method, source string, lines []ConversionLine) (string, error) {
	var lics []string
	for _, l := range lines {
		if _, err := r.addLot(sa, va, l.Tag, int64(l.Count), time.Time{}, time.Time{}); err != nil {
			return "", err
		}
		lics = append(lics, fmt.Sprintf("%d %s", l.Count, r.licenseName(l.Tag)))
	}
	r.conv().history = append(r.conv().history, Conversion{Time: r.now, SA: sa, Method: method, Source: source, VA: va, Licenses: lics, Status: "Converted"})
	return strings.Join(lics, ", "), nil
}

// Converted reports whether a device's licenses were converted.
func (c *CSSM) Converted(udi license.UDI) bool { return c.r.cv != nil && c.r.cv.devices[udi.String()] }

// Conversions lists a smart account's Conversion History, newest first.
func (c *CSSM) Conversions(sa string) []Conversion {
	var out []Conversion
	if c.r.cv == nil {
		return nil
	}
	for i := len(c.r.cv.history) - 1; i >= 0; i-- {
		h := c.r.cv.history[i]
		if h.SA == sa {
			out = append(out, h)
		}
	}
	return out
}

// conversionsJSON is the conversions in a snapshot.
type conversionsJSON struct {
	PAKs    []PAK        `json:"paks,omitempty"`
	Devices []string     `json:"devices,omitempty"`
	History []Conversion `json:"history,omitempty"`
}

func (cv *conversions) toJSON() *conversionsJSON {
	if cv == nil {
		return nil
	}
	j := &conversionsJSON{History: cv.history}
	for _, id := range slices.Sorted(maps.Keys(cv.paks)) {
		j.PAKs = append(j.PAKs, *cv.paks[id])
	}
	j.Devices = slices.Sorted(maps.Keys(cv.devices))
	return j
}

func (r *registry) conversionsFromJSON(j *conversionsJSON) error {
	if j == nil {
		return nil
	}
	cv := r.conv()
	for _, p := range j.PAKs {
		if _, _, err := r.va(p.SA, p.VA); err != nil {
			return fmt.Errorf("PAK %s: %w", p.ID, err)
		}
		if _, dup := cv.paks[p.ID]; dup || p.ID == "" {
			return fmt.Errorf("PAK %q is invalid or repeated", p.ID)
		}
		for _, l := range p.Lines {
			if l.Converted < 0 || l.Converted > l.Quantity || r.checkTag(l.Tag) != nil {
				return fmt.Errorf("PAK %s: bad SKU %s", p.ID, l.SKU)
			}
		}
		pc := p
		cv.paks[p.ID] = &pc
	}
	for _, u := range j.Devices {
		cv.devices[u] = true
	}
	cv.history = j.History
	return nil
}
