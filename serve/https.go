package serve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/restconf"
)

// Bounds of the HTTPS server. [model]
const (
	// MaxHeaderBytes bounds a request's header.
	MaxHeaderBytes = 16 << 10
	// ReadTimeout bounds the reading of one request, body included.
	ReadTimeout = 30 * time.Second
)

// httpsServer is device's RESTCONF server.
func (s *Server) httpsServer(device string) *http.Server {
	h := &restconf.Handler{
		Device:    restconf.WorldDevice(s.w, device, func(f func()) { s.run.Do(func(time.Time) error { f(); return nil }) }),
		ErrorsKey: s.cfg.ErrorsKey,
		AuthDelay: s.cfg.AuthDelay,
	}
	return s.plainHTTPS(h)
}

// plainHTTPS is an HTTPS server for a handler, with the same bounds as a
// switch's.
func (s *Server) plainHTTPS(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{*s.cfg.Certificate}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: ReadTimeout,
		ReadTimeout:       ReadTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          log.New(discard{}, "", 0),
		ConnState:         markBusy,
	}
}

// markBusy tells a gated connection whether it is serving a request: the
// gate may close one that is not (a handshake not finished, a keep-alive
// waiting) to make room.
func markBusy(c net.Conn, st http.ConnState) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if sc, ok := c.(*slotConn); ok {
		sc.busy.Store(st == http.StateActive)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// secureServerOnly wraps device's HTTPS listener: a connection is closed
// at once unless the running configuration has `ip http secure-server`
// (as a switch without it refuses port 443), at most MaxSessions are open
// at a time, and the rest is TLS as cfg says. When every slot is taken,
// the oldest connection that is not serving a request (a handshake not
// finished, an idle keep-alive) is closed to make room, so idle or
// half-open connections never keep a client waiting.
func (s *Server) secureServerOnly(device string, ln net.Listener, cfg *tls.Config) net.Listener {
	return tls.NewListener(&gate{Listener: ln, s: s, device: device, slots: make(chan struct{}, s.cfg.MaxSessions)}, cfg)
}

type gate struct {
	net.Listener
	s      *Server
	device string
	slots  chan struct{}
	mu     sync.Mutex
	open   []*slotConn // oldest first
}

// room takes a slot, closing the oldest idle connection for one when all
// are taken; it waits only while every connection is serving a request.
func (g *gate) room() {
	for {
		select {
		case g.slots <- struct{}{}:
			return
		default:
		}
		g.mu.Lock()
		var idle *slotConn
		for _, c := range g.open {
			if !c.busy.Load() {
				idle = c
				break
			}
		}
		g.mu.Unlock()
		if idle == nil {
			g.slots <- struct{}{} // all busy: wait for one to end
			return
		}
		idle.Close()
	}
}

func (g *gate) forget(c *slotConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := slices.Index(g.open, c); i >= 0 {
		g.open = slices.Delete(g.open, i, i+1)
	}
}

func (g *gate) Accept() (net.Conn, error) {
	for {
		g.room()
		c, err := g.Listener.Accept()
		if err != nil {
			<-g.slots
			if errors.Is(err, net.ErrClosed) {
				return nil, err
			}
			time.Sleep(5 * time.Millisecond) // transient (too many open files): go on
			continue
		}
		on := false
		g.s.run.View(func() {
			if d, ok := g.s.w.Device(g.device); ok {
				on = d.Running().HTTPSecureServer
			}
		})
		if !on {
			c.Close()
			<-g.slots
			continue
		}
		sc := &slotConn{Conn: c}
		sc.free = func() { g.forget(sc); <-g.slots }
		g.mu.Lock()
		g.open = append(g.open, sc)
		g.mu.Unlock()
		return sc, nil
	}
}

// slotConn gives its slot back when closed.
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
	busy atomic.Bool // serving a request (markBusy)
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.free)
	return err
}

// Certificates of a served lab. [model]
const (
	// LeafValidity is how long a server certificate is valid from the
	// day it is made (what browsers accept at most, 397 days); an
	// expired one is made anew at start.
	LeafValidity = 397 * 24 * time.Hour
	// CAValidity is how long the lab's own CA is valid.
	CAValidity = 10 * 365 * 24 * time.Hour
)

// LoadOrCreateCertificate reads the HTTPS certificate and key (PEM) from
// certPath and keyPath, or makes them there: a server certificate (not a
// CA) for hosts (IP addresses or names), valid LeafValidity from the day
// it is made, signed by the lab's own CA, kept beside them as ca.crt and
// ca.key and made once. Clients that verify are given ca.crt to trust.
// certPath holds the server certificate followed by the CA's, the chain a
// client is sent. An expired certificate, or one from an older release
// that was its own CA, is made anew; a certificate and a key are made and
// replaced together, and a state holding only one of them is refused.
func LoadOrCreateCertificate(certPath, keyPath string, hosts []string) (*tls.Certificate, error) {
	now := time.Now()
	c, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		leaf, perr := x509.ParseCertificate(c.Certificate[0])
		if perr == nil && !leaf.IsCA && now.Before(leaf.NotAfter) {
			return &c, nil
		}
		// Expired, or self-signed as releases before made it: a new pair.
	} else {
		_, certErr := os.Stat(certPath)
		_, keyErr := os.Stat(keyPath)
		switch {
		case errors.Is(certErr, os.ErrNotExist) && errors.Is(keyErr, os.ErrNotExist):
			// Neither: make the pair.
		case errors.Is(certErr, os.ErrNotExist) || errors.Is(keyErr, os.ErrNotExist):
			return nil, fmt.Errorf("https certificate: only one of %s and %s exists; remove it to make a new pair", certPath, keyPath)
		default:
			return nil, fmt.Errorf("https certificate %s: %w", certPath, err)
		}
	}
	dir := filepath.Dir(certPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	ca, caKey, err := loadOrCreateCA(filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key"), now)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: fmt.Sprintf("IOS-Self-Signed-Certificate-%d", serial.Uint64()%1e10)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(LeafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	chainPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	if err := atomicfile.Write(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	if err := atomicfile.Write(certPath, chainPEM, 0o644); err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	out, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	return &out, nil
}

// loadOrCreateCA reads the lab's CA, or makes one (made once; anew only
// when it has expired or its files are gone).
func loadOrCreateCA(certPath, keyPath string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	if pair, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		ca, perr := x509.ParseCertificate(pair.Certificate[0])
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if perr == nil && ok && ca.IsCA && now.Before(ca.NotAfter) {
			return ca, key, nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "slsim lab CA", Organization: []string{"slsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	if err := atomicfile.Write(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	if err := atomicfile.Write(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, fmt.Errorf("https CA: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}
