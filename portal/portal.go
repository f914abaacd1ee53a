// Package portal is the CSSM's Smart Software Licensing portal in a
// browser: server-rendered pages laid out like Cisco's — Alerts,
// Inventory (General with the tokens, Licenses, Product Instances, Event
// Log), Convert to Smart Licensing, Reports, Satellites, Activity — on
// the same CSSM the switches and the REST API use, with a Lab page beside
// them showing the world's devices, a chart of their states and the
// timeline. Users sign in with their CSSM credentials; every form carries
// a per-session CSRF token; refused input changes nothing and says why.
package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/internal/httpmux"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

//go:embed templates
var files embed.FS

// Settings of the portal. [model]
const (
	// SessionLifetime is how long a sign-in lasts without use.
	SessionLifetime = 8 * time.Hour
	// MaxSessions bounds the sessions kept at once; the oldest go first.
	MaxSessions = 1000
	// MaxForm bounds a form's size.
	MaxForm = 64 << 10
	// CookieName is the session cookie.
	CookieName = "slsim_session"
	// DefaultAuthDelay is waited before refusing a sign-in.
	DefaultAuthDelay = time.Second
)

// Access runs f on the world's CSSM (and the world, for the lab page),
// with the world to itself and brought up to the present.
type Access func(f func(w *sim.World, c *cssm.CSSM, now time.Time) error) error

// Portal serves the pages of one world's CSSM.
type Portal struct {
	Access Access
	// Clock reads real time for session expiry (nil: time.Now).
	Clock func() time.Time
	// AuthDelay (DefaultAuthDelay when 0, none when negative).
	AuthDelay time.Duration

	once  sync.Once
	mux   *http.ServeMux
	pages map[string]*template.Template
	mu    sync.Mutex
	sess  map[string]*session
}

type session struct {
	user     string
	accounts []string
	csrf     string
	seen     time.Time
	flash    *flash
	newToken string // a token just made, shown once
}

type flash struct{ Kind, Text string }

func (p *Portal) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return time.Now()
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-Jan-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-Jan-02 15:04:05")
	},
	"short": func(s string) string {
		if len(s) <= 12 {
			return s
		}
		return s[:12] + "..."
	},
	"join": strings.Join,
}

func (p *Portal) init() {
	p.once.Do(func() {
		p.pages = map[string]*template.Template{}
		for _, name := range []string{"login", "alerts", "inventory", "activity", "convert", "reports", "satellites", "lab"} {
			p.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/events.html", "templates/"+name+".html"))
		}
		p.sess = map[string]*session{}
		p.mux = p.routes()
	})
}

// routes is the portal's pages and actions: each method and path pattern.
func (p *Portal) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		data, _ := files.ReadFile("templates/style.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Write(data)
	})
	mux.HandleFunc("GET /static/portal.js", func(w http.ResponseWriter, r *http.Request) {
		data, _ := files.ReadFile("templates/portal.js")
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(data)
	})
	mux.HandleFunc("GET /login", p.login)
	mux.HandleFunc("POST /login", p.login)
	mux.Handle("GET /{$}", p.signedIn(func(w http.ResponseWriter, r *http.Request, _ *session) {
		http.Redirect(w, r, "/inventory", http.StatusSeeOther)
	}))
	mux.Handle("GET /{page}", p.signedIn(p.get))
	mux.Handle("GET /reports/{name}", p.signedIn(func(w http.ResponseWriter, r *http.Request, s *session) {
		p.csv(w, r, s, r.PathValue("name"))
	}))
	for _, action := range []string{"/logout", "/tokens/create", "/tokens/revoke", "/licenses/transfer", "/licenses/add",
		"/convert/pak", "/convert/device", "/instances/remove", "/instances/transfer"} {
		mux.Handle("POST "+action, p.signedIn(p.post))
	}
	return mux
}

// signedIn serves h to a signed-in user; others are sent to sign in.
func (p *Portal) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := p.session(r)
		if s == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h(w, r, s)
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// session finds the request's session, refreshing its use.
func (p *Portal) session(r *http.Request) *session {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sess[c.Value]
	if !ok {
		return nil
	}
	if p.now().Sub(s.seen) > SessionLifetime {
		delete(p.sess, c.Value)
		return nil
	}
	s.seen = p.now()
	return s
}

func (p *Portal) newSession(w http.ResponseWriter, user string, accounts []string) {
	id := randomHex(24)
	p.mu.Lock()
	if len(p.sess) >= MaxSessions {
		var oldest string
		for k, s := range p.sess {
			if oldest == "" || s.seen.Before(p.sess[oldest].seen) {
				oldest = k
			}
		}
		delete(p.sess, oldest)
	}
	p.sess[id] = &session{user: user, accounts: accounts, csrf: randomHex(16), seen: p.now()}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (p *Portal) setFlash(s *session, kind, text string) {
	p.mu.Lock()
	s.flash = &flash{kind, text}
	p.mu.Unlock()
}

func (p *Portal) setNewToken(s *session, tok string) {
	p.mu.Lock()
	s.newToken = tok
	p.mu.Unlock()
}

func (p *Portal) takeNewToken(s *session) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := s.newToken
	s.newToken = ""
	return t
}

func (p *Portal) takeFlash(s *session) *flash {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// view is what every page renders.
type view struct {
	Title, Page, Tab string
	User, SA, VA     string
	CSRF             string
	Now              string
	VAs              []string
	HasLab           bool
	Flash            *flash
	Data             any
}

func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.init()
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	httpmux.Serve(p.mux, w, r, func(w http.ResponseWriter, r *http.Request, status int) {
		http.Error(w, http.StatusText(status), status)
	})
}

func (p *Portal) login(w http.ResponseWriter, r *http.Request) {
	v := view{Title: "Sign in", Page: "login"}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		var accounts []string
		ok := false
		p.Access(func(_ *sim.World, c *cssm.CSSM, _ time.Time) error {
			accounts, ok = c.SignIn(r.PostForm.Get("user"), r.PostForm.Get("password"))
			return nil
		})
		if ok && len(accounts) > 0 {
			p.newSession(w, r.PostForm.Get("user"), accounts)
			http.Redirect(w, r, "/inventory", http.StatusSeeOther)
			return
		}
		if d := p.AuthDelay; d >= 0 {
			if d == 0 {
				d = DefaultAuthDelay
			}
			time.Sleep(d)
		}
		w.WriteHeader(http.StatusUnauthorized)
		v.Flash = &flash{"error", "The user name or password is not correct."}
	}
	p.render(w, "login", v)
}

func (p *Portal) render(w http.ResponseWriter, page string, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	type flat struct {
		view
		*pageData
	}
	d, _ := v.Data.(*pageData)
	if d == nil {
		d = &pageData{}
	}
	if err := p.pages[page].ExecuteTemplate(w, page+".html", flat{v, d}); err != nil {
		io.WriteString(w, "<p>rendering failed</p>")
	}
}

// pageData holds every page's own fields; a page fills those it shows.
type pageData struct {
	Alerts       []cssm.Alert
	Tokens       []cssm.Token
	NewToken     string
	MaxDays      int
	Description  string
	IsDefault    bool
	Licenses     []cssm.LicenseRow
	Catalog      []stackwise.Entitlement
	Others       []string
	Instances    []cssm.InstanceRow
	Events       []cssm.Event
	AllVAs       bool
	Satellites   []cssm.SatelliteInfo
	Devices      []deviceRow
	PAKs         []cssm.PAK
	History      []cssm.Conversion
	Convertible  []cssm.InstanceRow
	Timeline     []sim.Event
	Chart        template.HTML
	Pager        *pager            // the search and page of the page's long table
	NewTokenOpen bool              // the New Token dialog shown open (?new=token, without script)
	All          []cssm.LicenseRow // every license, for a form beside a page of them
}

// scope is the smart account and virtual account a request is about.
func (p *Portal) scope(r *http.Request, s *session, c *cssm.CSSM) (sa, va string, vas []string, err error) {
	sa = s.accounts[0]
	if q := r.FormValue("sa"); q != "" {
		if !slices.Contains(s.accounts, q) {
			return "", "", nil, errors.New("you have no access to that smart account")
		}
		sa = q
	}
	infos, err := c.VirtualAccounts(sa)
	if err != nil {
		return "", "", nil, err
	}
	def := ""
	for _, i := range infos {
		vas = append(vas, i.Name)
		if i.Default {
			def = i.Name
		}
	}
	va = r.FormValue("va")
	if va == "" { // as CSSM opens Inventory: on the account's default virtual account
		va = def
	}
	if !slices.Contains(vas, va) {
		return "", "", nil, fmt.Errorf("no virtual account %q", va)
	}
	return sa, va, vas, nil
}

func (p *Portal) get(w http.ResponseWriter, r *http.Request, s *session) {
	page := r.PathValue("page")
	if _, ok := p.pages[page]; !ok || page == "login" {
		http.NotFound(w, r)
		return
	}
	v := view{Page: page, User: s.user, CSRF: s.csrf, HasLab: true, Flash: p.takeFlash(s)}
	d := &pageData{}
	v.Data = d
	err := p.Access(func(wd *sim.World, c *cssm.CSSM, now time.Time) error {
		sa, va, vas, err := p.scope(r, s, c)
		if err != nil {
			return err
		}
		v.SA, v.VA, v.VAs, v.Now = sa, va, vas, now.UTC().Format("2006-Jan-02 15:04 UTC")
		for _, n := range vas {
			if n != va {
				d.Others = append(d.Others, n)
			}
		}
		switch page {
		case "alerts":
			v.Title = "Alerts"
			d.Alerts, d.Pager = paginate(r, "/alerts", url.Values{"va": {va}}, c.Alerts(sa, false), func(a cssm.Alert) string {
				return a.Severity + " " + a.Type + " " + a.Message + " " + a.Source + " " + a.VA
			})
		case "inventory":
			v.Title = "Inventory"
			return p.inventory(r, s, c, sa, va, &v, d)
		case "activity":
			v.Title, d.AllVAs = "Activity", true
			var evs []cssm.Event
			evs, err = c.Events(sa)
			d.Events, d.Pager = paginate(r, "/activity", url.Values{"va": {va}}, evs, eventText)
		case "convert":
			v.Title, v.Tab = "Convert to Smart Licensing", tab(r, "paks", "paks", "licenses", "history", "events")
			switch v.Tab {
			case "paks":
				d.PAKs = c.PAKs(sa)
			case "licenses":
				d.Convertible, err = convertible(c, sa, va)
			case "history":
				d.History = c.Conversions(sa)
			case "events":
				d.Events, err = c.Events(sa)
			}
		case "reports":
			v.Title = "Reports"
		case "satellites":
			v.Title = "Satellites"
			d.Satellites = c.Satellites(sa)
		case "lab":
			v.Title = "Lab"
			lab(wd, d)
		}
		return err
	})
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		v.Flash = &flash{"error", err.Error()}
	}
	p.render(w, page, v)
}

func tab(r *http.Request, def string, allowed ...string) string {
	t := r.FormValue("tab")
	if slices.Contains(allowed, t) {
		return t
	}
	return def
}

func (p *Portal) inventory(r *http.Request, s *session, c *cssm.CSSM, sa, va string, v *view, d *pageData) error {
	v.Tab = tab(r, "general", "general", "licenses", "instances", "events")
	var err error
	switch v.Tab {
	case "general":
		infos, _ := c.VirtualAccounts(sa)
		for _, i := range infos {
			if i.Name == va {
				d.Description, d.IsDefault = i.Description, i.Default
			}
		}
		d.MaxDays = c.Profile().TokenMaxDays
		d.NewTokenOpen = r.FormValue("new") == "token"
		d.Tokens, err = c.Tokens(sa, va)
		slices.Reverse(d.Tokens)
		// A token just made is shown once, from the session: it never
		// travels in a URL (history, logs, Referer).
		if t := p.takeNewToken(s); t != "" && slices.ContainsFunc(d.Tokens, func(x cssm.Token) bool { return x.Value == t }) {
			d.NewToken = t
		}
	case "licenses":
		var rows []cssm.LicenseRow
		rows, err = c.Licenses(sa, va)
		d.Catalog = stackwise.Entitlements()
		d.All = rows // the transfer form offers every license, not a page's
		d.Licenses, d.Pager = paginate(r, "/inventory", url.Values{"va": {va}, "tab": {v.Tab}}, rows, func(l cssm.LicenseRow) string { return l.License + " " + l.Tag + " " + l.Status })
	case "instances":
		var rows []cssm.InstanceRow
		rows, err = c.Instances(sa, va)
		d.Instances, d.Pager = paginate(r, "/inventory", url.Values{"va": {va}, "tab": {v.Tab}}, rows, func(i cssm.InstanceRow) string {
			return i.Name + " " + i.ProductType + " " + i.PID + " " + i.SN + " " + i.Status + " " + strings.Join(i.Licenses, " ")
		})
	case "events":
		var all, mine []cssm.Event
		all, err = c.Events(sa)
		for _, e := range all {
			if e.VA == va {
				mine = append(mine, e)
			}
		}
		d.Events, d.Pager = paginate(r, "/inventory", url.Values{"va": {va}, "tab": {v.Tab}}, mine, eventText)
	}
	return err
}

// eventText is an event's searchable text.
func eventText(e cssm.Event) string { return e.Message + " " + e.User + " " + e.VA }

// post runs a form's action; it redirects back to the page with what
// happened, or why nothing did.
func (p *Portal) post(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
		http.Error(w, "the form is stale or forged: reload the page", http.StatusForbidden)
		return
	}
	if r.URL.Path == "/logout" {
		c, _ := r.Cookie(CookieName)
		p.mu.Lock()
		delete(p.sess, c.Value)
		p.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	f := r.PostForm
	back := url.Values{"va": {f.Get("va")}}
	msg := ""
	err := p.Access(func(_ *sim.World, c *cssm.CSSM, now time.Time) error {
		return c.Acting(s.user, func() error {
			sa, va, vas, err := p.scope(r, s, c)
			if err != nil {
				return err
			}
			switch r.URL.Path {
			case "/tokens/create":
				back.Set("tab", "general")
				days, err := number(f.Get("days"), "Expire After", 1, c.Profile().TokenMaxDays)
				if err != nil {
					return err
				}
				uses := 0
				if f.Get("uses") != "" {
					if uses, err = number(f.Get("uses"), "Max. Number of Uses", 0, cssm.MaxQuantity); err != nil {
						return err
					}
				}
				t, err := c.CreateToken(now, sa, va, cssm.TokenOptions{Description: f.Get("description"), ExpiresAfterDays: days, MaxUses: uses, ExportControlled: f.Get("export") == "on"})
				if err != nil {
					return err
				}
				p.setNewToken(s, t.Value)
				msg = "The token was created."
			case "/tokens/revoke":
				back.Set("tab", "general")
				toks, _ := c.Tokens(sa, va)
				if !slices.ContainsFunc(toks, func(t cssm.Token) bool { return t.Value == f.Get("token") }) {
					return errors.New("no such token in this virtual account")
				}
				if err := c.RevokeToken(now, f.Get("token")); err != nil {
					return err
				}
				msg = "The token was revoked."
			case "/licenses/transfer":
				back.Set("tab", "licenses")
				qty, err := number(f.Get("qty"), "Quantity", 1, cssm.MaxQuantity)
				if err != nil {
					return err
				}
				if !slices.Contains(vas, f.Get("target")) || f.Get("target") == va {
					return errors.New("choose another virtual account to transfer to")
				}
				if err := c.TransferLicenses(now, sa, va, f.Get("target"), f.Get("license"), int64(qty)); err != nil {
					return err
				}
				msg = fmt.Sprintf("%d licenses were transferred to %s.", qty, f.Get("target"))
			case "/licenses/add":
				back.Set("tab", "licenses")
				qty, err := number(f.Get("qty"), "Quantity", 1, cssm.MaxQuantity)
				if err != nil {
					return err
				}
				years, err := number(f.Get("years"), "Term", 0, 10)
				if err != nil {
					return err
				}
				var end time.Time
				if years > 0 {
					end = now.AddDate(years, 0, 0)
				}
				if _, err := c.AddLicenses(now, sa, va, f.Get("license"), int64(qty), time.Time{}, end); err != nil {
					return err
				}
				msg = fmt.Sprintf("%d licenses were added.", qty)
			case "/convert/pak":
				back.Set("page", "convert")
				back.Set("tab", "paks")
				if !slices.Contains(vas, f.Get("target")) {
					return errors.New("choose a virtual account to convert into")
				}
				if err := c.ConvertPAK(now, sa, f.Get("pak"), f.Get("target"), nil); err != nil {
					return err
				}
				msg = "PAK " + f.Get("pak") + " was converted into " + f.Get("target") + "."
			case "/convert/device":
				back.Set("page", "convert")
				back.Set("tab", "licenses")
				rows, err := convertible(c, sa, va)
				if err != nil {
					return err
				}
				i := slices.IndexFunc(rows, func(i cssm.InstanceRow) bool { return i.PID == f.Get("pid") && i.SN == f.Get("sn") })
				if i < 0 {
					return errors.New("no such device with licenses to convert in this virtual account")
				}
				var lines []cssm.ConversionLine
				for _, u := range rows[i].Usage {
					lines = append(lines, cssm.ConversionLine{Tag: u.Tag, Count: u.Count})
				}
				if err := c.ConvertDevice(now, sa, va, cssm.MethodDevice, license.UDI{PID: rows[i].PID, SN: rows[i].SN}, lines); err != nil {
					return err
				}
				msg = "The licenses of " + rows[i].Name + " were converted."
			case "/instances/remove", "/instances/transfer":
				back.Set("tab", "instances")
				udi := license.UDI{PID: f.Get("pid"), SN: f.Get("sn")}
				rows, err := c.Instances(sa, va)
				if err != nil {
					return err
				}
				if !slices.ContainsFunc(rows, func(i cssm.InstanceRow) bool { return i.PID == udi.PID && i.SN == udi.SN }) {
					return errors.New("no such product instance in this virtual account")
				}
				if r.URL.Path == "/instances/remove" {
					msg = "The product instance was removed."
					return c.RemoveInstance(now, udi)
				}
				if !slices.Contains(vas, f.Get("target")) {
					return errors.New("choose a virtual account to transfer to")
				}
				msg = "The product instance was transferred to " + f.Get("target") + "."
				return c.TransferInstance(now, udi, f.Get("target"))
			default:
				return errors.New("unknown action")
			}
			return nil
		})
	})
	if err != nil {
		p.setFlash(s, "error", strings.TrimPrefix(err.Error(), "invalid: "))
	} else {
		p.setFlash(s, "ok", msg)
	}
	page := "/inventory?"
	if back.Get("page") == "convert" {
		back.Del("page")
		page = "/convert?"
	}
	http.Redirect(w, r, page+back.Encode(), http.StatusSeeOther)
}

// convertible lists a virtual account's product instances that hold
// traditional licenses not yet converted: 3650/3850 switches.
func convertible(c *cssm.CSSM, sa, va string) ([]cssm.InstanceRow, error) {
	rows, err := c.Instances(sa, va)
	var out []cssm.InstanceRow
	for _, r := range rows {
		m, merr := stackwise.LookupModel(r.PID)
		if merr == nil && m.Platform.Legacy() && !c.Converted(license.UDI{PID: r.PID, SN: r.SN}) && len(r.Usage) > 0 {
			out = append(out, r)
		}
	}
	return out, err
}

// number reads a whole number of a form field within bounds.
func number(s, field string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d", field, lo, hi)
	}
	return n, nil
}

// csv exports a report.
func (p *Portal) csv(w http.ResponseWriter, r *http.Request, s *session, name string) {
	var rows [][]string
	err := p.Access(func(_ *sim.World, c *cssm.CSSM, _ time.Time) error {
		sa, va, _, err := p.scope(r, s, c)
		if err != nil {
			return err
		}
		switch name {
		case "licenses.csv":
			rows = append(rows, []string{"License", "Virtual Account", "Purchased", "In Use", "Substitution", "Balance", "Status"})
			lics, err := c.Licenses(sa, va)
			for _, l := range lics {
				rows = append(rows, []string{l.License, l.VirtualAccount, fmt.Sprint(l.Quantity), fmt.Sprint(l.InUse), fmt.Sprint(l.Substitution - l.FromParent), fmt.Sprint(l.Balance), l.Status})
			}
			return err
		case "instances.csv":
			rows = append(rows, []string{"Name", "Product Type", "PID", "Serial Number", "Virtual Account", "Registered", "Last Contact", "Status", "Licenses"})
			insts, err := c.Instances(sa, va)
			for _, i := range insts {
				rows = append(rows, []string{i.Name, i.ProductType, i.PID, i.SN, i.VirtualAccount, i.Registered.UTC().Format(time.RFC3339), i.LastContact.UTC().Format(time.RFC3339), i.Status, strings.Join(i.Licenses, "; ")})
			}
			return err
		case "events.csv":
			rows = append(rows, []string{"Time", "Virtual Account", "User", "Message"})
			evs, err := c.Events(sa)
			for _, e := range evs {
				rows = append(rows, []string{e.Time.UTC().Format(time.RFC3339), e.VA, e.User, e.Message})
			}
			return err
		}
		return errNoReport
	})
	if errors.Is(err, errNoReport) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	cw.WriteAll(rows)
}

var errNoReport = errors.New("no such report")
