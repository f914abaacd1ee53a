// Package classroom is the instructor's page of a served class: every
// pod's exercise on one table, live, with each pod's last commands, and
// buttons to push the next hint to a pod or start it over. It answers at
// /class on the served CSSM's HTTPS port, for the instructor's login only.
package classroom

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/exercise"
)

// Class is what the page shows and acts on; slsim serve's pods are one.
type Class interface {
	// Entries is every pod's exercise, judged now.
	Entries() []exercise.Entry
	// Hint gives pod's trainee the next hint and returns it.
	Hint(pod string) (string, error)
	// Reset starts pod's exercise over on a new world.
	Reset(pod string) error
}

// Bounds. [model]
const (
	maxSessions = 16
	sessionTTL  = 12 * time.Hour
	maxForm     = 4 << 10
	cookie      = "slsim_class"
)

// Page is the instructor's page.
type Page struct {
	// User and Password are the instructor's login; the trainees' login
	// (the served switches' and the portal's) does not open the page.
	User, Password string
	Class          Class
	// AuthDelay slows a wrong login down. Now is the wall clock (nil:
	// time.Now); the page is served in real time.
	AuthDelay time.Duration
	Now       func() time.Time

	mu       sync.Mutex
	sessions map[string]session
}

type session struct {
	csrf    string
	expires time.Time
}

//go:embed class.html
var pageHTML string

//go:embed class.js
var pageJS string

var tmpl = template.Must(template.New("class").Parse(pageHTML))

func (p *Page) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// session is the request's signed-in session, if any.
func (p *Page) session(r *http.Request) (session, bool) {
	c, err := r.Cookie(cookie)
	if err != nil {
		return session{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sessions[c.Value]
	if !ok || p.now().After(s.expires) {
		delete(p.sessions, c.Value)
		return session{}, false
	}
	return s, true
}

// ServeHTTP answers /class (the page, or the login form), /class/class.js,
// /class/login, /class/logout, /class/data.json, /class/hint and
// /class/reset.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if r.URL.Path == "/class/login" && r.Method == http.MethodPost {
		p.login(w, r)
		return
	}
	if r.URL.Path == "/class/class.js" && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write([]byte(pageJS))
		return
	}
	s, ok := p.session(r)
	switch path := strings.TrimSuffix(r.URL.Path, "/"); {
	case !ok && path == "/class" && r.Method == http.MethodGet:
		p.render(w, http.StatusOK, view{})
	case !ok:
		http.Error(w, "sign in at /class with the instructor's login", http.StatusUnauthorized)
	case path == "/class" && r.Method == http.MethodGet:
		p.render(w, http.StatusOK, view{SignedIn: true, CSRF: s.csrf, Entries: rows(p.Class.Entries())})
	case path == "/class/data.json" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rows(p.Class.Entries()))
	case (path == "/class/hint" || path == "/class/reset" || path == "/class/logout") && r.Method == http.MethodPost:
		if err := r.ParseForm(); err != nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
			http.Error(w, "a form of this page is needed", http.StatusForbidden)
			return
		}
		p.act(w, r, path)
	default:
		http.NotFound(w, r)
	}
}

// act runs a button's action and answers in JSON: {"message": …} or
// {"error": …}.
func (p *Page) act(w http.ResponseWriter, r *http.Request, path string) {
	pod := r.PostForm.Get("pod")
	answer := func(code int, key, text string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{key: text})
	}
	switch path {
	case "/class/logout":
		if c, err := r.Cookie(cookie); err == nil {
			p.mu.Lock()
			delete(p.sessions, c.Value)
			p.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: cookie, Value: "", Path: "/class", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		answer(http.StatusOK, "message", "signed out")
	case "/class/hint":
		h, err := p.Class.Hint(pod)
		if err != nil {
			answer(http.StatusBadRequest, "error", err.Error())
			return
		}
		answer(http.StatusOK, "message", pod+": "+h)
	case "/class/reset":
		if err := p.Class.Reset(pod); err != nil {
			answer(http.StatusBadRequest, "error", err.Error())
			return
		}
		answer(http.StatusOK, "message", pod+" started over")
	}
}

func (p *Page) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(p.User)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(p.Password)) == 1
	if p.User == "" || p.Password == "" || !okUser || !okPass {
		time.Sleep(p.AuthDelay)
		p.render(w, http.StatusUnauthorized, view{Error: "This page is for the instructor: sign in with the instructor's login, not a trainee's."})
		return
	}
	id := randomHex(16)
	p.mu.Lock()
	if p.sessions == nil {
		p.sessions = map[string]session{}
	}
	now := p.now()
	for k, s := range p.sessions {
		if now.After(s.expires) {
			delete(p.sessions, k)
		}
	}
	for k := range p.sessions { // still full: the oldest sign-ins are not kept apart, any goes
		if len(p.sessions) < maxSessions {
			break
		}
		delete(p.sessions, k)
	}
	p.sessions[id] = session{csrf: randomHex(16), expires: now.Add(sessionTTL)}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: id, Path: "/class", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/class", http.StatusSeeOther)
}

// row is one pod as the page shows it.
type row struct {
	Pod      string   `json:"pod"`
	Exercise string   `json:"exercise"`
	State    string   `json:"state"`
	Virtual  string   `json:"virtual"`
	Real     string   `json:"real"`
	Hints    int      `json:"hints"`
	Wrong    int      `json:"wrong"`
	Commands int      `json:"commands"`
	Last     []string `json:"last"`
}

func rows(entries []exercise.Entry) []row {
	out := make([]row, 0, len(entries))
	for _, e := range entries {
		state := "working"
		switch {
		case e.Solved:
			state = "solved"
		case e.GaveUp:
			state = "gave up"
		}
		real := "-"
		if e.Real > 0 {
			real = e.Real.Round(time.Second).String()
		}
		out = append(out, row{Pod: e.Pod, Exercise: e.Exercise, State: state, Virtual: e.Virtual.Round(time.Second).String(), Real: real,
			Hints: e.Hints, Wrong: e.WrongFixes, Commands: e.Commands, Last: append([]string{}, e.Last...)})
	}
	return out
}

type view struct {
	SignedIn bool
	CSRF     string
	Error    string
	Entries  []row
}

func (p *Page) render(w http.ResponseWriter, code int, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'")
	w.WriteHeader(code)
	tmpl.Execute(w, v)
}

// ErrNoPod is a Class's answer for a pod it does not have.
var ErrNoPod = errors.New("no such pod")
