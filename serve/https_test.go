package serve_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/serve"
)

func restconfClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

func getState(t *testing.T, c *http.Client, addr, user, pw string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest("GET", "https://"+addr+"/restconf/data/cisco-smart-license:licensing/state/state-info/registration/registration-state", nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, pw)
	req.Header.Set("Accept", "application/yang-data+json")
	return c.Do(req)
}

// RESTCONF answers on a served switch once its configuration enables it,
// from the same world the SSH sessions see; `no ip http secure-server`
// typed over SSH closes the port again.
func TestRESTCONFFollowsTheConfiguration(t *testing.T) {
	s := start(t, serve.Config{AuthDelay: time.Millisecond})
	c := restconfClient()
	_, err := getState(t, c, s.https, "admin", "cisco123")
	require.Error(t, err, "no ip http secure-server: the connection is closed")

	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rip http secure-server\rrestconf\rend\rexit\r")
	resp, err := getState(t, c, s.https, "admin", "cisco123")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.JSONEq(t, `{"cisco-smart-license:registration-state": "reg-state-not-registered"}`, string(body))

	resp, err = getState(t, c, s.https, "oper", "look")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "privilege 1")

	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rno ip http secure-server\rend\rexit\r")
	_, err = restconfClient().Get("https://" + s.https + "/.well-known/host-meta")
	require.Error(t, err)
}

// A register posted over RESTCONF is the switch's own: the SSH session's
// show license status then says REGISTERED.
func TestRESTCONFRegisterIsSeenOverSSH(t *testing.T) {
	s := start(t, serve.Config{})
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rip http secure-server\rrestconf\rend\rexit\r")
	tok := s.token
	req, err := http.NewRequest("POST", "https://"+s.https+"/restconf/data/cisco-smart-license:register-id-token",
		strings.NewReader(`{"cisco-smart-license:register-id-token": {"id-token": "`+tok+`"}}`))
	require.NoError(t, err)
	req.SetBasicAuth("admin", "cisco123")
	req.Header.Set("Content-Type", "application/yang-data+json")
	resp, err := restconfClient().Do(req)
	require.NoError(t, err)
	var out map[string]map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	require.Equal(t, "registrationinprogress", out["cisco-smart-license:output"]["return-code"])
	got := typeInto(t, s.addr, "admin", "cisco123", "show license status | include Status\rexit\r")
	require.Contains(t, got, "REGISTERING - REGISTRATION IN PROGRESS")
}

// With Loopback each switch has its own address and the same ports.
func TestLoopbackAddresses(t *testing.T) {
	s := start(t, serve.Config{Loopback: true, FirstIndex: 3})
	require.True(t, strings.HasPrefix(s.addr, "127.0.0.5:"), s.addr)
	require.True(t, strings.HasPrefix(s.https, "127.0.0.5:"), s.https)
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	c.Close()
}

func TestCertificateIsKept(t *testing.T) {
	dir := t.TempDir()
	a, err := serve.LoadOrCreateCertificate(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), []string{"127.0.0.1", "localhost"})
	require.NoError(t, err)
	b, err := serve.LoadOrCreateCertificate(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), nil)
	require.NoError(t, err)
	require.Equal(t, a.Certificate[0], b.Certificate[0])
}

// The served certificate is a server certificate signed by the lab's own
// CA (ca.crt, to be trusted by clients that verify), valid from the day
// it was made; one from an older release, its own CA and dated 2030,
// is replaced at start, and the CA is kept.
func TestCertificateIsALeafOfTheLabCA(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "https.crt"), filepath.Join(dir, "https.key")
	c, err := serve.LoadOrCreateCertificate(certPath, keyPath, []string{"127.0.0.1", "cloudsso.cisco.com"})
	require.NoError(t, err)
	require.Len(t, c.Certificate, 2, "the server certificate and the CA's")
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	require.NoError(t, err)
	assert.False(t, leaf.IsCA)
	assert.WithinDuration(t, time.Now().Add(serve.LeafValidity), leaf.NotAfter, time.Hour)
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(caPEM))
	_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "cloudsso.cisco.com"})
	require.NoError(t, err, "a client trusting ca.crt verifies the server")
	st, err := os.Stat(filepath.Join(dir, "ca.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// An older release's certificate: its own CA, valid to 2030.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "old"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	again, err := serve.LoadOrCreateCertificate(certPath, keyPath, []string{"127.0.0.1"})
	require.NoError(t, err)
	leaf2, err := x509.ParseCertificate(again.Certificate[0])
	require.NoError(t, err)
	assert.False(t, leaf2.IsCA, "replaced by a server certificate")
	caPEM2, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	require.NoError(t, err)
	assert.Equal(t, caPEM, caPEM2, "the CA is made once")
}
