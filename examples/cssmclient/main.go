// Command cssmclient reads a CSSM through its REST API the way Go tools
// written against Cisco's Smart Accounts and Licensing API do: an OAuth2
// token from the SSO endpoint, then the smart accounts, each account's
// virtual accounts, and the license usage of each, page by page. It is
// written to the API's documented shapes alone and shares no code with
// slsim's server, so pointed at `slsim serve` it checks the server the way
// such a tool would.
//
//	go run ./examples/cssmclient -url https://127.0.0.1:9443 -cacert .slsim/https.crt \
//	    -client-id ID -client-secret SECRET -user admin -password cisco
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Client is an API client: where the API is, and its bearer token.
type Client struct {
	Base   string // e.g. https://apx.cisco.com
	HTTP   *http.Client
	bearer string
}

// Account, VirtualAccount and License are the fields this client reads.
type Account struct {
	Name   string `json:"accountName"`
	Domain string `json:"accountDomain"`
	Status string `json:"accountStatus"`
	Type   string `json:"accountType"`
}

type VirtualAccount struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	IsDefault   string `json:"isDefault"`
}

type License struct {
	License        string `json:"license"`
	VirtualAccount string `json:"virtualAccount"`
	Quantity       int    `json:"quantity"`
	InUse          int    `json:"inUse"`
	Available      int    `json:"available"`
	Status         string `json:"status"`
}

// Login gets a bearer token with the password grant.
func (c *Client) Login(clientID, secret, user, password string) error {
	form := url.Values{"grant_type": {"password"}, "client_id": {clientID}, "client_secret": {secret}, "username": {user}, "password": {password}}
	resp, err := c.HTTP.PostForm(c.Base+"/as/token.oauth2", form)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login: %s", resp.Status)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		return errors.New("login: no bearer token in the answer")
	}
	c.bearer = tok.AccessToken
	return nil
}

// call sends a request and decodes the answer, which must be 200 with
// status SUCCESS.
func (c *Client) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.Base+"/services/api/smart-accounts-and-licensing/"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.bearer)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	var st struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Status != "SUCCESS" {
		return fmt.Errorf("%s %s: status %q", method, path, st.Status)
	}
	return json.Unmarshal(data, out)
}

// Accounts lists the smart accounts the token may see.
func (c *Client) Accounts() ([]Account, error) {
	var out struct {
		Accounts []Account `json:"accounts"`
	}
	return out.Accounts, c.call("GET", "v2/accounts", nil, &out)
}

// VirtualAccounts lists an account's virtual accounts.
func (c *Client) VirtualAccounts(domain string) ([]VirtualAccount, error) {
	var out struct {
		VirtualAccounts []VirtualAccount `json:"virtualAccounts"`
	}
	return out.VirtualAccounts, c.call("GET", "v1/accounts/"+url.PathEscape(domain)+"/customer/virtual-accounts", nil, &out)
}

// Usage reads the licenses of some virtual accounts, 100 a page.
func (c *Client) Usage(domain string, vas []string) ([]License, error) {
	var all []License
	for offset := 0; ; offset += 100 {
		var page struct {
			TotalRecords int       `json:"totalRecords"`
			Licenses     []License `json:"licenses"`
		}
		req := map[string]any{"virtualAccounts": vas, "limit": 100, "offset": offset}
		if err := c.call("POST", "v1/accounts/"+url.PathEscape(domain)+"/licenses", req, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Licenses...)
		if offset+100 >= page.TotalRecords {
			return all, nil
		}
	}
}

// report prints every account's virtual accounts and usage.
func report(w io.Writer, c *Client) error {
	accs, err := c.Accounts()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, a := range accs {
		fmt.Fprintf(tw, "%s (%s)\n", a.Name, a.Domain)
		vas, err := c.VirtualAccounts(a.Domain)
		if err != nil {
			return err
		}
		for _, va := range vas {
			lics, err := c.Usage(a.Domain, []string{va.Name})
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "  %s\t%d licenses\n", va.Name, len(lics))
			for _, l := range lics {
				fmt.Fprintf(tw, "    %s\t%d in use of %d\t%s\n", l.License, l.InUse, l.Quantity, l.Status)
			}
		}
	}
	return tw.Flush()
}

func main() {
	base := flag.String("url", "https://127.0.0.1:9443", "the API's address (CSSM: https://apx.cisco.com)")
	caFile := flag.String("cacert", "", "a CA file to trust (slsim serve's https.crt)")
	id := flag.String("client-id", "", "the API client's ID")
	secret := flag.String("client-secret", "", "its secret")
	user := flag.String("user", "", "the user")
	password := flag.String("password", "", "the user's password")
	flag.Parse()
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "no certificate in", *caFile)
			os.Exit(1)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	c := &Client{Base: strings.TrimRight(*base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	if err := c.Login(*id, *secret, *user, *password); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := report(os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
