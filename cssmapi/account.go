package cssmapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// inAccount serves an endpoint under v1/accounts/{domain}/: the domain
// resolved to a smart account the token may see (403 otherwise).
func (s *Server) inAccount(h func(c *call, sa string) (any, error)) func(*call) (any, error) {
	return func(c *call) (any, error) {
		var sa string
		if err := s.Access(func(cc *cssm.CSSM, _ time.Time) error {
			var err error
			sa, err = s.account(c, cc, c.r.PathValue("domain"))
			return err
		}); err != nil {
			return nil, err
		}
		return h(c, sa)
	}
}

// inVA serves an endpoint under v1/accounts/{domain}/virtual-accounts/{va}/.
func (s *Server) inVA(h func(c *call, sa, va string) (any, error)) func(*call) (any, error) {
	return s.inAccount(func(c *call, sa string) (any, error) { return h(c, sa, c.r.PathValue("va")) })
}

// vaExists refuses an unknown virtual account with 404.
func vaExists(cc *cssm.CSSM, sa, va string) error {
	vas, err := cc.VirtualAccounts(sa)
	if err != nil {
		return err
	}
	for _, v := range vas {
		if v.Name == va {
			return nil
		}
	}
	return failf(http.StatusNotFound, "no virtual account %s", va)
}

func (s *Server) virtualAccounts(c *call, sa string) (any, error) {
	type va struct {
		IsDefault   string `json:"isDefault"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Access      string `json:"commerceAccessLevel"`
	}
	out := []va{}
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		vas, err := cc.VirtualAccounts(sa)
		for _, v := range vas {
			out = append(out, va{IsDefault: strconv.FormatBool(v.Default), Name: v.Name, Description: v.Description, Access: "FULL"})
		}
		return err
	})
	return success(map[string]any{"virtualAccounts": out}), err
}

// License is one row of the licenses answer.
type License struct {
	License        string          `json:"license"`
	VirtualAccount string          `json:"virtualAccount"`
	Quantity       int64           `json:"quantity"`
	InUse          int64           `json:"inUse"`
	Available      int64           `json:"available"`
	Reserved       int64           `json:"reserved"`
	Pending        int64           `json:"pendingQuantity"`
	Status         string          `json:"status"`
	BillingType    string          `json:"billingType"`
	IsPortable     bool            `json:"isPortable"`
	AhaApps        bool            `json:"ahaApps"`
	Substitutions  []Substitution  `json:"licenseSubstitutions"`
	Details        []LicenseDetail `json:"licenseDetails"`
}

// Substitution is a license used in place of another through the
// hierarchy (a generic C9500 license covering a model-specific one).
type Substitution struct {
	LicenseName         string `json:"licenseName"`
	SubstitutedLicense  string `json:"substitutedLicense"`
	SubstitutedQuantity int64  `json:"substitutedQuantity"`
	SubstitutionType    string `json:"substitutionType"`
}

// LicenseDetail is one lot of a license.
type LicenseDetail struct {
	LicenseType    string `json:"licenseType"` // PERPETUAL or TERM
	Quantity       int64  `json:"quantity"`
	StartDate      string `json:"startDate"`
	EndDate        string `json:"endDate"`
	SubscriptionID string `json:"subscriptionId"`
	Status         string `json:"status"`
}

// licenseRow shapes one of CSSM's Licenses rows for the API.
func licenseRow(r cssm.LicenseRow) License {
	parent := parentName(r.Tag)
	l := License{License: r.License, VirtualAccount: r.VirtualAccount, Quantity: r.Quantity, InUse: r.InUse, Available: max(0, r.Available),
		Status: r.Status, BillingType: "PREPAID", Substitutions: []Substitution{}, Details: []LicenseDetail{}}
	if r.FromParent > 0 && parent != "" {
		l.Substitutions = append(l.Substitutions, Substitution{LicenseName: r.License, SubstitutedLicense: parent, SubstitutedQuantity: r.FromParent, SubstitutionType: "HIERARCHY"})
	}
	for _, d := range r.Details {
		ld := LicenseDetail{LicenseType: strings.ToUpper(d.LicenseType), Quantity: d.Quantity, StartDate: d.StartDate, EndDate: d.EndDate, Status: "ACTIVE"}
		if ld.LicenseType == "TERM" {
			ld.SubscriptionID = "Sub" + strings.ReplaceAll(d.StartDate, "-", "")
		}
		l.Details = append(l.Details, ld)
	}
	return l
}

// parentName is the CSSM name of the license that can stand in for tag.
func parentName(tag string) string {
	e, err := stackwise.LookupEntitlement(tag)
	if err != nil || e.Parent == "" {
		return ""
	}
	p, err := stackwise.LookupEntitlement(e.Parent)
	if err != nil {
		return ""
	}
	return p.CSSMName
}

// licenses is POST v1/accounts/{domain}/licenses: the license usage of
// some virtual accounts (all when none is named), a page at a time;
// totalRecords counts every row.
func (s *Server) licenses(c *call, sa string) (any, error) {
	var req struct {
		VirtualAccounts []string `json:"virtualAccounts"`
		Limit           *int     `json:"limit"`
		Offset          *int     `json:"offset"`
	}
	if err := c.body(&req); err != nil {
		return nil, err
	}
	limit, offset := 100, 0
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > 1000 {
			return nil, failf(http.StatusBadRequest, "limit must be 1 to 1000")
		}
		limit = *req.Limit
	}
	if req.Offset != nil {
		if *req.Offset < 0 {
			return nil, failf(http.StatusBadRequest, "offset must be 0 or more")
		}
		offset = *req.Offset
	}
	var rows []License
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		vas := req.VirtualAccounts
		if len(vas) == 0 {
			all, err := cc.VirtualAccounts(sa)
			if err != nil {
				return err
			}
			for _, v := range all {
				vas = append(vas, v.Name)
			}
		}
		for _, va := range vas {
			if err := vaExists(cc, sa, va); err != nil {
				return err
			}
			lr, err := cc.Licenses(sa, va)
			if err != nil {
				return err
			}
			for _, r := range lr {
				rows = append(rows, licenseRow(r))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{"totalRecords": len(rows), "licenses": page(rows, limit, offset)}), nil
}

// listTokens answers the virtual account's tokens, usable ones first
// (clients take the first), newest first within each. [model order]
func (s *Server) listTokens(c *call, sa, va string) (any, error) {
	var toks []cssm.Token
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		if err := vaExists(cc, sa, va); err != nil {
			return err
		}
		var err error
		toks, err = cc.Tokens(sa, va)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(toks)
	slices.SortStableFunc(toks, func(a, b cssm.Token) int {
		switch {
		case a.Status == "Active" && b.Status != "Active":
			return -1
		case a.Status != "Active" && b.Status == "Active":
			return 1
		}
		return 0
	})
	if toks == nil {
		toks = []cssm.Token{}
	}
	return success(map[string]any{"tokens": toks}), nil
}

// tokenRequest is the body of a token creation: expiresAfterDays as a
// number or a string, exportControlled as "Allowed"/"Not Allowed" or a
// boolean, as the clients send them.
type tokenRequest struct {
	Description      string          `json:"description"`
	ExpiresAfterDays json.RawMessage `json:"expiresAfterDays"`
	ExportControlled json.RawMessage `json:"exportControlled"`
	MaxUses          int             `json:"maxUses"`
}

func (t tokenRequest) options() (cssm.TokenOptions, error) {
	o := cssm.TokenOptions{Description: t.Description, MaxUses: t.MaxUses}
	if len(t.ExpiresAfterDays) > 0 {
		var n int
		var str string
		switch {
		case json.Unmarshal(t.ExpiresAfterDays, &n) == nil:
		case json.Unmarshal(t.ExpiresAfterDays, &str) == nil:
			var err error
			if n, err = strconv.Atoi(str); err != nil {
				return o, failf(http.StatusBadRequest, "expiresAfterDays %q is not a number", str)
			}
		default:
			return o, failf(http.StatusBadRequest, "expiresAfterDays must be a number")
		}
		if n == 0 { // the zero value of TokenOptions means the default; the API's 0 is a mistake
			return o, failf(http.StatusBadRequest, "expiresAfterDays 0: want 1 or more")
		}
		o.ExpiresAfterDays = n
	}
	if len(t.ExportControlled) > 0 {
		var b bool
		var str string
		switch {
		case json.Unmarshal(t.ExportControlled, &b) == nil:
			o.ExportControlled = b
		case json.Unmarshal(t.ExportControlled, &str) == nil && (str == "Allowed" || str == "Not Allowed"):
			o.ExportControlled = str == "Allowed"
		default:
			return o, failf(http.StatusBadRequest, `exportControlled must be "Allowed" or "Not Allowed"`)
		}
	}
	return o, nil
}

// tokenOptions reads a POSTed token creation.
func (c *call) tokenOptions() (cssm.TokenOptions, error) {
	var req tokenRequest
	if err := c.body(&req); err != nil {
		return cssm.TokenOptions{}, err
	}
	return req.options()
}

func (s *Server) createToken(c *call, sa, va string) (any, error) {
	o, err := c.tokenOptions()
	if err != nil {
		return nil, err
	}
	var t cssm.Token
	err = s.do(c, func(cc *cssm.CSSM, now time.Time) error {
		if err := vaExists(cc, sa, va); err != nil {
			return err
		}
		var err error
		t, err = cc.CreateToken(now, sa, va, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{"tokenInfo": t}), nil
}

// revokedToken reads a POSTed token revocation: {"token": "…"}.
func (c *call) revokedToken() (string, error) {
	var req struct {
		Token string `json:"token"`
	}
	if err := c.body(&req); err != nil {
		return "", err
	}
	return req.Token, nil
}

func (s *Server) revokeToken(c *call, sa, va string) (any, error) {
	token, err := c.revokedToken()
	if err != nil {
		return nil, err
	}
	err = s.do(c, func(cc *cssm.CSSM, now time.Time) error {
		toks, err := cc.Tokens(sa, va)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(toks, func(t cssm.Token) bool { return t.Value == token }) {
			return failf(http.StatusNotFound, "no such token in %s", va)
		}
		return cc.RevokeToken(now, token)
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{}), nil
}

// devices is GET .../virtual-accounts/{va}/devices: the product
// instances, a page at a time (limit, offset in the query).
func (s *Server) devices(c *call, sa, va string) (any, error) {
	limit, offset, err := paging(c.r.URL.Query().Get("limit"), c.r.URL.Query().Get("offset"), 100, 1000)
	if err != nil {
		return nil, err
	}
	var rows []cssm.InstanceRow
	err = s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		if err := vaExists(cc, sa, va); err != nil {
			return err
		}
		var err error
		rows, err = cc.Instances(sa, va)
		return err
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{"totalRecords": len(rows), "devices": page(rows, limit, offset)}), nil
}

type deviceRequest struct {
	PID    string `json:"udiPid"`
	SN     string `json:"udiSerialNumber"`
	Target string `json:"targetVirtualAccount"`
}

// instanceIn refuses a device that is not an instance of va.
func instanceIn(cc *cssm.CSSM, sa, va string, udi license.UDI) error {
	rows, err := cc.Instances(sa, va)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.PID == udi.PID && r.SN == udi.SN {
			return nil
		}
	}
	return failf(http.StatusNotFound, "no product instance %s in %s", udi, va)
}

func (s *Server) removeDevice(c *call, sa, va string) (any, error) {
	return s.deviceOp(c, sa, va, false)
}

func (s *Server) transferDevice(c *call, sa, va string) (any, error) {
	return s.deviceOp(c, sa, va, true)
}

func (s *Server) deviceOp(c *call, sa, va string, transfer bool) (any, error) {
	var req deviceRequest
	if err := c.body(&req); err != nil {
		return nil, err
	}
	udi := license.UDI{PID: req.PID, SN: req.SN}
	if err := udi.Validate(); err != nil {
		return nil, failf(http.StatusBadRequest, "udiPid and udiSerialNumber: %v", err)
	}
	if transfer && req.Target == "" {
		return nil, failf(http.StatusBadRequest, "targetVirtualAccount is required")
	}
	err := s.do(c, func(cc *cssm.CSSM, now time.Time) error {
		if err := instanceIn(cc, sa, va, udi); err != nil {
			return err
		}
		if transfer {
			if err := vaExists(cc, sa, req.Target); err != nil {
				return err
			}
			return cc.TransferInstance(now, udi, req.Target)
		}
		return cc.RemoveInstance(now, udi)
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{}), nil
}

// transferLicenses is POST .../virtual-accounts/{va}/licenses/transfer:
// licenses not in use moved to another virtual account.
func (s *Server) transferLicenses(c *call, sa, va string) (any, error) {
	var req struct {
		License  string `json:"license"` // a CSSM license name or an entitlement tag
		Quantity int64  `json:"quantity"`
		Target   string `json:"targetVirtualAccount"`
	}
	if err := c.body(&req); err != nil {
		return nil, err
	}
	ent, err := stackwise.LookupTagOrName(req.License)
	if err != nil {
		return nil, failf(http.StatusBadRequest, "license %q: %v", req.License, err)
	}
	if req.Quantity < 1 || req.Quantity > cssm.MaxQuantity {
		return nil, failf(http.StatusBadRequest, "quantity must be 1 to %d", cssm.MaxQuantity)
	}
	err = s.do(c, func(cc *cssm.CSSM, now time.Time) error {
		if err := vaExists(cc, sa, va); err != nil {
			return err
		}
		if err := vaExists(cc, sa, req.Target); err != nil {
			return err
		}
		return cc.TransferLicenses(now, sa, va, req.Target, ent.Tag, req.Quantity)
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{}), nil
}

func (s *Server) alerts(c *call, sa string) (any, error) {
	all := c.r.URL.Query().Get("all") == "true"
	var out []cssm.Alert
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error { out = cc.Alerts(sa, all); return nil })
	if out == nil {
		out = []cssm.Alert{}
	}
	return success(map[string]any{"alerts": out}), err
}

func (s *Server) events(c *call, sa string) (any, error) {
	var out []cssm.Event
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		var err error
		out, err = cc.Events(sa)
		return err
	})
	if out == nil {
		out = []cssm.Event{}
	}
	return success(map[string]any{"events": out}), err
}

func (s *Server) satellites(c *call, sa string) (any, error) {
	var out []cssm.SatelliteInfo
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error { out = cc.Satellites(sa); return nil })
	if out == nil {
		out = []cssm.SatelliteInfo{}
	}
	return success(map[string]any{"satellites": out}), err
}

// reserve is POST .../reserve-licenses. Specific License Reservation is
// enabled by Cisco per account; slsim's accounts do not have it, so the
// request is checked and answered status ERROR, as CSSM answers an account
// without it. [model]
func (s *Server) reserve(c *call, sa, va string) (any, error) {
	var req struct {
		Requests []struct {
			Code     string `json:"reservationCode"`
			Type     string `json:"reservationType"`
			Licenses []struct {
				Tag        string `json:"entitlementTag"`
				Quantity   string `json:"quantity"`
				Precedence string `json:"precedence"`
			} `json:"licenses"`
		} `json:"reservationRequests"`
	}
	if err := c.body(&req); err != nil {
		return nil, err
	}
	if len(req.Requests) == 0 {
		return nil, failf(http.StatusBadRequest, "reservationRequests is empty")
	}
	for _, r := range req.Requests {
		if r.Code == "" || r.Type != "SPECIFIC" {
			return nil, failf(http.StatusBadRequest, "each request needs a reservationCode and reservationType SPECIFIC")
		}
		for _, l := range r.Licenses {
			if n, err := strconv.Atoi(l.Quantity); err != nil || n < 1 {
				return nil, failf(http.StatusBadRequest, "quantity %q is not a positive number (a string)", l.Quantity)
			}
		}
	}
	if err := s.Access(func(cc *cssm.CSSM, _ time.Time) error { return vaExists(cc, sa, va) }); err != nil {
		return nil, err
	}
	msg := "Specific License Reservation is not enabled for the virtual account " + va
	return map[string]any{"status": StatusError, "statusMessage": msg, "authorizationCodes": []any{}}, nil
}

// dlcConvert is POST v1/accounts/{domain}/dlc_convert: each device's
// conversion lines (conversionString an entitlement tag, as `show license
// data conversion` prints it) become Smart licenses of the virtual
// account, once per device: CONVERT_SUCCESS, or CONVERT_FAILED with the
// reason (already converted, unknown tag, nothing to convert). The app
// reads "dlc_" + the status in lower case.
func (s *Server) dlcConvert(c *call, sa string) (any, error) {
	var req struct {
		VirtualAccounts []struct {
			Name        string `json:"name"`
			DLCRequests []struct {
				SUDI struct {
					PID string `json:"udiPid"`
					SN  string `json:"udiSerialNumber"`
				} `json:"sudi"`
				SoftwareTag string `json:"softwareTagIdentifier"`
				Lines       []struct {
					Type     string `json:"conversionType"`
					Encoding string `json:"conversionEncodingType"`
					String   string `json:"conversionString"`
					Count    int    `json:"conversionCount"`
				} `json:"conversionLines"`
			} `json:"dlcRequests"`
		} `json:"virtualAccounts"`
	}
	if err := c.body(&req); err != nil {
		return nil, err
	}
	type sudi struct {
		PID string `json:"udiPid"`
		SN  string `json:"udiSerialNumber"`
	}
	type dev struct {
		Status  string `json:"conversionStatus"`
		Message string `json:"statusMessage"`
		SUDI    sudi   `json:"sudi"`
	}
	out := []dev{}
	err := s.do(c, func(cc *cssm.CSSM, now time.Time) error {
		for _, v := range req.VirtualAccounts {
			if err := vaExists(cc, sa, v.Name); err != nil {
				return err
			}
			for _, d := range v.DLCRequests {
				udi := license.UDI{PID: d.SUDI.PID, SN: d.SUDI.SN}
				var lines []cssm.ConversionLine
				for _, l := range d.Lines {
					lines = append(lines, cssm.ConversionLine{Tag: l.String, Count: l.Count})
				}
				r := dev{Status: "CONVERT_SUCCESS", SUDI: sudi{d.SUDI.PID, d.SUDI.SN}}
				if err := cc.ConvertDevice(now, sa, v.Name, cssm.MethodDLC, udi, lines); err != nil {
					r.Status, r.Message = "CONVERT_FAILED", strings.TrimPrefix(err.Error(), "invalid: ")
				}
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return success(map[string]any{"devices": out}), nil
}
