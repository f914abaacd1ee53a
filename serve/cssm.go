package serve

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/cssmapi"
	"github.com/slsim/slsim/portal"
	"github.com/slsim/slsim/sim"
)

// CSSMAddrs is where a world's CSSM answers: its REST API and portal
// (one HTTPS address: the API under its paths, the portal at /), and each
// satellite's API by name.
type CSSMAddrs struct {
	API        string
	Satellites map[string]string
}

// openCSSM opens the listeners of the CSSM API and the satellites' APIs.
func (s *Server) openCSSM() error {
	if s.cfg.CSSMPort < 0 || s.cfg.Certificate == nil {
		return nil
	}
	access := func(f func(c *cssm.CSSM, now time.Time) error) error {
		return s.run.Do(func(now time.Time) error { return f(s.w.CSSM(), now) })
	}
	api := &cssmapi.Server{Access: access, AuthDelay: s.cfg.AuthDelay}
	web := &portal.Portal{AuthDelay: s.cfg.AuthDelay, Access: func(f func(w *sim.World, c *cssm.CSSM, now time.Time) error) error {
		return s.run.Do(func(now time.Time) error { return f(s.w, s.w.CSSM(), now) })
	}}
	mux := http.NewServeMux()
	mux.Handle(cssmapi.TokenPath, api)
	mux.Handle("/services/api/", api) // the API's own 404 (JSON) for paths it does not have
	mux.Handle("/", web)
	if s.cfg.Class != nil {
		mux.Handle("/class", s.cfg.Class)
		mux.Handle("/class/", s.cfg.Class)
	}
	if err := s.listenHTTPS("cssm", s.cfg.CSSMHost(), s.cfg.CSSMPort, mux); err != nil {
		return err
	}
	var sats []string
	s.run.View(func() {
		for _, sa := range s.w.CSSM().SmartAccounts() {
			for _, info := range s.w.CSSM().Satellites(sa) {
				sats = append(sats, info.Name)
			}
		}
	})
	sort.Strings(sats)
	for i, name := range sats {
		port := 0
		if s.cfg.SatellitePort > 0 {
			port = s.cfg.SatellitePort + i
		}
		h := &cssmapi.Satellite{AuthDelay: s.cfg.AuthDelay, Access: func(f func(c *cssm.CSSM, sat *cssm.Satellite, now time.Time) error) error {
			return s.run.Do(func(now time.Time) error {
				sat, ok := s.w.Satellite(name)
				if !ok {
					return fmt.Errorf("satellite %s is gone", name)
				}
				return f(s.w.CSSM(), sat, now)
			})
		}}
		if err := s.listenHTTPS("satellite "+name, s.cfg.CSSMHost(), port, h); err != nil {
			return err
		}
	}
	return nil
}

// CSSMHost is the address the CSSM's APIs listen on: Host, or 127.0.0.1
// with Loopback.
func (c Config) CSSMHost() string {
	if c.Loopback {
		return "127.0.0.1"
	}
	return c.Host
}

// listenHTTPS opens one of the CSSM's HTTPS listeners.
func (s *Server) listenHTTPS(name, host string, port int, h http.Handler) error {
	ln, err := s.cfg.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		return fmt.Errorf("serve: %s: %w", name, err)
	}
	s.extra = append(s.extra, extraListener{name: name, ln: ln, srv: s.plainHTTPS(h)})
	return nil
}

type extraListener struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

// CSSMAddrs reports where the world's CSSM answers.
func (s *Server) CSSMAddrs() CSSMAddrs {
	out := CSSMAddrs{Satellites: map[string]string{}}
	for _, e := range s.extra {
		if e.name == "cssm" {
			out.API = e.ln.Addr().String()
		} else {
			out.Satellites[e.name[len("satellite "):]] = e.ln.Addr().String()
		}
	}
	return out
}
