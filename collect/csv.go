package collect

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sw "github.com/slsim/slsim/stackwise"
)

// licenseColumns are the names a licenses export gives its columns: the
// license (CSSM's name, or an entitlement tag), its virtual account and
// the quantity the account holds. The first names are slsim's portal's
// export (Licenses → Export); the others the ones CSSM's own exports are
// reported to use. [model: CSSM's headers, which no source at hand fixes]
var licenseColumns = struct{ license, va, quantity []string }{
	license:  []string{"license", "license name", "product name"},
	va:       []string{"virtual account", "virtual account name"},
	quantity: []string{"purchased", "quantity", "available to use", "total"},
}

// PoolLine is one line of a licenses export: how many of a license a
// virtual account holds.
type PoolLine struct {
	VA       string
	Tag      string
	Quantity int64
}

// ReadLicensesCSV reads a virtual account's (or a smart account's)
// licenses export: per row, the license, the virtual account and the
// quantity held, found by the header's names. A row naming a license
// outside slsim's catalogue is an error naming the row; a file without
// the columns is refused.
func ReadLicensesCSV(source string, data []byte) ([]PoolLine, error) {
	rows, col, err := readCSV(source, data)
	if err != nil {
		return nil, err
	}
	li, vi, qi := col(licenseColumns.license), col(licenseColumns.va), col(licenseColumns.quantity)
	if li < 0 || qi < 0 {
		return nil, fmt.Errorf("%s: want a licenses export with License and Purchased (or Quantity) columns; the header is %q", source, strings.Join(rows[0], ","))
	}
	var out []PoolLine
	for n, row := range rows[1:] {
		line := n + 2
		if len(row) <= max(li, qi, vi) {
			return nil, fmt.Errorf("%s: row %d: %d fields", source, line, len(row))
		}
		name := strings.TrimSpace(row[li])
		if name == "" {
			continue
		}
		q, err := strconv.ParseInt(strings.TrimSpace(row[qi]), 10, 64)
		if err != nil || q < 0 {
			return nil, fmt.Errorf("%s: row %d: quantity %q", source, line, row[qi])
		}
		ent, err := sw.LookupTagOrName(name)
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", source, line, err)
		}
		va := ""
		if vi >= 0 {
			va = strings.TrimSpace(row[vi])
		}
		out = append(out, PoolLine{VA: va, Tag: ent.Tag, Quantity: q})
	}
	if len(out) == 0 {
		return nil, errors.New(source + ": no licenses")
	}
	return out, nil
}

// readCSV reads an export's rows, a byte order mark and all, and finds
// its columns by their header's names (-1 when absent).
func readCSV(source string, data []byte) (rows [][]string, col func(names []string) int, err error) {
	if len(data) > MaxInput {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", source, MaxInput)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	if rows, err = r.ReadAll(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", source)
	}
	col = func(names []string) int {
		return slices.IndexFunc(rows[0], func(h string) bool { return slices.Contains(names, strings.ToLower(strings.TrimSpace(h))) })
	}
	return rows, col, nil
}

// Pools are licenses exports as an estate's pools, by virtual account:
// the exports of one virtual account make one plain pool, which every
// device counts against (the estate's devices are that account's, or
// about to be); the exports of several make a pool section per account,
// and each account's devices count against their own, as CSSM counts
// them. Several exports of one account are summed.
func Pools(lines []PoolLine) (map[string]*sw.Pool, error) {
	out := map[string]*sw.Pool{}
	for _, l := range lines {
		p := out[l.VA]
		if p == nil {
			p = &sw.Pool{}
			out[l.VA] = p
		}
		if err := p.Set(l.Tag, p.Get(l.Tag)+l.Quantity); err != nil {
			return nil, err
		}
	}
	if len(out) == 1 {
		for va, p := range out {
			if va != "" {
				delete(out, va)
				out[""] = p
			}
		}
	}
	return out, nil
}

// instanceColumns are the names a product instances export gives its
// columns: slsim's portal's (Product Instances → Export) first, then the
// ones CSSM's own exports are reported to use. [model]
var instanceColumns = struct{ name, pid, sn, va []string }{
	name: []string{"name", "product instance name", "hostname"},
	pid:  []string{"pid", "product id"},
	sn:   []string{"serial number", "serial", "sn"},
	va:   []string{"virtual account", "virtual account name"},
}

// Instance is one row of a product instances export: a switch CSSM holds
// as registered in a virtual account.
type Instance struct {
	Name, PID, SN, VA string
}

// IsInstancesCSV reports whether an export is of product instances (its
// header names a serial number column) rather than of licenses.
func IsInstancesCSV(data []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("\n"))
	row, err := csv.NewReader(bytes.NewReader(line)).Read()
	return err == nil && slices.ContainsFunc(row, func(h string) bool {
		return slices.Contains(instanceColumns.sn, strings.ToLower(strings.TrimSpace(h)))
	})
}

// ReadInstancesCSV reads a product instances export: per row, the
// instance's name, PID, serial number and virtual account, found by the
// header's names. A file without a serial number and a virtual account
// column is refused; a row without a serial is an error naming the row.
func ReadInstancesCSV(source string, data []byte) ([]Instance, error) {
	rows, col, err := readCSV(source, data)
	if err != nil {
		return nil, err
	}
	ni, pi, si, vi := col(instanceColumns.name), col(instanceColumns.pid), col(instanceColumns.sn), col(instanceColumns.va)
	if si < 0 || vi < 0 {
		return nil, fmt.Errorf("%s: want a product instances export with Serial Number and Virtual Account columns; the header is %q", source, strings.Join(rows[0], ","))
	}
	get := func(row []string, i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var out []Instance
	for n, row := range rows[1:] {
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" || slices.IndexFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" }) < 0 {
			continue
		}
		in := Instance{Name: get(row, ni), PID: get(row, pi), SN: get(row, si), VA: get(row, vi)}
		if in.SN == "" || in.VA == "" || strings.ContainsAny(in.VA, " \t") {
			return nil, fmt.Errorf("%s: row %d: want a serial number and a one-word virtual account", source, n+2)
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, errors.New(source + ": no product instances")
	}
	return out, nil
}

// MarkRegistered records, for each device a product instances export
// lists (by any member's serial), the virtual account CSSM holds it in,
// and that it is registered when its own outputs did not say. It returns
// the instances that match no device, for the caller to name.
func MarkRegistered(devs []Device, instances []Instance) []Instance {
	bySN := map[string]int{}
	for i, d := range devs {
		for _, u := range d.Device.Switches {
			if u.SN != "" {
				bySN[u.SN] = i
			}
		}
		for _, c := range d.Device.Chassis {
			if c.SN != "" {
				bySN[c.SN] = i
			}
		}
	}
	var unmatched []Instance
	for _, in := range instances {
		i, ok := bySN[in.SN]
		if !ok {
			unmatched = append(unmatched, in)
			continue
		}
		a := &devs[i].Account
		if a.VA == "" {
			a.VA = in.VA
		}
		if a.State == "" {
			a.State = "registered"
		}
	}
	return unmatched
}
