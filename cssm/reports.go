package cssm

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
)

// LicenseDetail is one lot of a license, as in the REST licenseDetails.
type LicenseDetail struct {
	LicenseType string `json:"licenseType"` // Perpetual or Term
	Quantity    int64  `json:"quantity"`
	StartDate   string `json:"startDate"`         // 2006-01-02
	EndDate     string `json:"endDate,omitempty"` // empty for perpetual
}

// LicenseRow is one license of a virtual account, shaped like CSSM's
// Licenses table and the REST `licenses` payload.
type LicenseRow struct {
	License        string          `json:"license"` // CSSM's license name
	Tag            string          `json:"entitlementTag"`
	VirtualAccount string          `json:"virtualAccount"`
	Quantity       int64           `json:"quantity"`
	InUse          int64           `json:"inUse"`
	Substitution   int64           `json:"substitution"` // used by more specific licenses (hierarchy)
	FromParent     int64           `json:"fromParent"`   // in use, covered by the more general license
	Available      int64           `json:"available"`
	Balance        int64           `json:"balance"` // quantity − in use − substitution + from parent; negative when short
	Status         string          `json:"status"`  // In Compliance, Insufficient Licenses
	Details        []LicenseDetail `json:"licenseDetails"`
}

// InstanceRow is one product instance, shaped like CSSM's Product Instances
// table and the REST `devices` payload.
type InstanceRow struct {
	Name           string    `json:"name"` // the hostname
	ProductType    string    `json:"productType"`
	PID            string    `json:"productId"`
	SN             string    `json:"serialNumber"`
	Members        []string  `json:"haUdiList,omitempty"` // the stack's UDIs, active first
	VirtualAccount string    `json:"virtualAccount"`
	Registered     time.Time `json:"registrationDate"`
	LastContact    time.Time `json:"lastContactDate"`
	Status         string    `json:"status"` // Active, Failed to Connect, Usage Released
	Licenses       []string  `json:"licenses"`
	// Usage is what the instance last reported; Consuming says whether it
	// counts against the pool (false once released for silence).
	Usage     []license.Usage `json:"-"`
	Consuming bool            `json:"-"`
}

// Licenses reports a virtual account's licenses, sorted by license name.
func (c *CSSM) Licenses(sa, va string) ([]LicenseRow, error) { return c.r.licenses(sa, va) }

// Balance is one entitlement's balance in a virtual account, the figures
// behind a Licenses row without its names, dates and lots.
type Balance struct {
	Tag        string
	Supply     int64 // licenses active now
	Demand     int64 // in use by the account's instances (and its satellites')
	FromParent int64 // demand met by a parent entitlement's spare licenses
	Lent       int64 // spare licenses lent to child entitlements
	Shortfall  int64 // demand met by nothing
}

// Balances reports a virtual account's balance per entitlement, sorted by
// tag. It is the cheap form of Licenses, for callers that sample often
// (the rows come from the same cached state).
func (c *CSSM) Balances(sa, va string) ([]Balance, error) { return c.appendBalances(nil, sa, va) }

// appendBalances is Balances appending to dst.
func (c *CSSM) appendBalances(dst []Balance, sa, va string) ([]Balance, error) {
	_, v, err := c.r.va(sa, va)
	if err != nil {
		return dst, err
	}
	for _, t := range c.r.state(v).tags {
		dst = append(dst, Balance{Tag: t.Tag, Supply: t.Supply, Demand: t.Demand, FromParent: t.FromParent, Lent: t.Lent, Shortfall: t.Shortfall})
	}
	return dst, nil
}

// Instances lists a virtual account's product instances, by name then UDI.
func (c *CSSM) Instances(sa, va string) ([]InstanceRow, error) { return c.r.instances(sa, va) }

// LicensesResponse is the REST answer of POST .../accounts/{domain}/licenses.
type LicensesResponse struct {
	Licenses     []LicenseRow `json:"licenses"`
	TotalRecords int          `json:"totalRecords"`
	Status       string       `json:"status"`
}

// LicensesPayload answers the REST licenses query for some virtual
// accounts (all of the smart account's when vas is empty).
func (c *CSSM) LicensesPayload(sa string, vas []string) (LicensesResponse, error) {
	a, err := c.r.account(sa)
	if err != nil {
		return LicensesResponse{}, err
	}
	if len(vas) == 0 {
		for n := range a.vas {
			vas = append(vas, n)
		}
	}
	vas = slices.Clone(vas)
	slices.Sort(vas)
	resp := LicensesResponse{Status: "SUCCESS", Licenses: []LicenseRow{}}
	for _, va := range vas {
		rows, err := c.r.licenses(sa, va)
		if err != nil {
			return LicensesResponse{}, err
		}
		resp.Licenses = append(resp.Licenses, rows...)
	}
	resp.TotalRecords = len(resp.Licenses)
	return resp, nil
}

func (r *registry) licenses(sa, va string) ([]LicenseRow, error) {
	_, v, err := r.va(sa, va)
	if err != nil {
		return nil, err
	}
	st := r.state(v)
	var rows []LicenseRow
	for _, t := range st.tags {
		name, _ := r.entitlement(t.Tag)
		row := LicenseRow{License: name, Tag: t.Tag, VirtualAccount: va, Quantity: t.Supply, InUse: t.Demand, Substitution: t.Lent,
			FromParent: t.FromParent, Available: t.Available, Balance: t.Supply - t.Demand - t.Lent + t.FromParent, Status: "In Compliance",
			Details: []LicenseDetail{}}
		if t.Shortfall > 0 {
			row.Status = "Insufficient Licenses"
		}
		for _, l := range v.lots {
			if l.Tag != t.Tag || !l.activeAt(r.now) {
				continue
			}
			d := LicenseDetail{LicenseType: "Perpetual", Quantity: l.Qty, StartDate: l.Start.Format(time.DateOnly)}
			if !l.End.IsZero() {
				d.LicenseType, d.EndDate = "Term", l.End.Format(time.DateOnly)
			}
			row.Details = append(row.Details, d)
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b LicenseRow) int {
		if c := strings.Compare(a.License, b.License); c != 0 {
			return c
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return rows, nil
}

func (r *registry) instances(sa, va string) ([]InstanceRow, error) {
	_, v, err := r.va(sa, va)
	if err != nil {
		return nil, err
	}
	rows := make([]InstanceRow, 0, v.ninst)
	for _, i := range r.insts {
		if i.vacc != v {
			continue
		}
		st := "Active"
		switch {
		case !i.Consuming && len(i.Usage) > 0:
			st = "Usage Released"
		case !i.Connected:
			st = "Failed to Connect"
		}
		var members []string
		for _, m := range i.members() {
			members = append(members, m.String())
		}
		row := InstanceRow{Name: i.Hostname, ProductType: productName(i.UDI.PID), PID: i.UDI.PID, SN: i.UDI.SN, Members: members, VirtualAccount: va,
			Registered: i.Registered, LastContact: i.LastContact, Status: st, Licenses: []string{},
			Usage: slices.Clone(i.Usage), Consuming: i.Consuming}
		for _, u := range i.Usage {
			name, _ := r.entitlement(u.Tag)
			row.Licenses = append(row.Licenses, fmt.Sprintf("%d %s", u.Count, name))
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b InstanceRow) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.PID+a.SN, b.PID+b.SN)
	})
	return rows, nil
}

// WriteLicenses prints license rows as CSSM's Licenses tab shows them:
// License, Billing, Purchased, In Use, Substitution, Balance, Alerts.
func WriteLicenses(w io.Writer, rows []LicenseRow) error {
	width := len("License")
	for _, r := range rows {
		width = max(width, len(r.License))
	}
	if _, err := fmt.Fprintf(w, "%-*s  %-7s  %9s  %6s  %12s  %7s  %s\n", width, "License", "Billing", "Purchased", "In Use", "Substitution", "Balance", "Alerts"); err != nil {
		return err
	}
	for _, r := range rows {
		alert := ""
		if r.Status != "In Compliance" {
			alert = r.Status
		}
		if _, err := fmt.Fprintf(w, "%-*s  %-7s  %9d  %6d  %12d  %7d  %s\n", width, r.License, "Prepaid", r.Quantity, r.InUse, r.Substitution, r.Balance, alert); err != nil {
			return err
		}
	}
	return nil
}
