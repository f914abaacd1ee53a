package restconf

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/internal/httpmux"
	"github.com/slsim/slsim/ios"
)

// Device is what a Handler needs of one switch. Each call must see the
// device as it is at that moment, with the world's lock held.
type Device interface {
	// View is the device as the show commands see it.
	View() (ios.View, error)
	// Register, Deregister, RenewID and RenewAuth are the license smart
	// commands.
	Register(token string, force bool) error
	Deregister() error
	RenewID() error
	RenewAuth() error
}

// Settings of the RESTCONF server. [model] where no source fixed a value.
const (
	// MaxBody bounds a request body.
	MaxBody = 64 << 10
	// DefaultErrorsKey is the member that holds an error body: RFC 8040's
	// module-qualified name. Handler.ErrorsKey "errors" gives the
	// unqualified form that some clients read.
	DefaultErrorsKey = "ietf-restconf:errors"
	// DefaultAuthDelay is waited before answering a refused login.
	DefaultAuthDelay = time.Second
	// MediaType is the YANG JSON media type of RFC 8040.
	MediaType = "application/yang-data+json"
)

// Handler serves RESTCONF for one device: the host-meta discovery
// document, the cisco-smart-license data tree, its four RPCs and
// native/version. It answers only while the device's running
// configuration has `restconf` and `ip http secure-server`, and only to
// local users of privilege 15 (HTTP Basic), as IOS-XE does.
type Handler struct {
	Device Device
	// ErrorsKey names the error body's member (DefaultErrorsKey when "").
	ErrorsKey string
	// AuthDelay is waited before a 401 (DefaultAuthDelay when 0, none
	// when negative).
	AuthDelay time.Duration

	once sync.Once
	mux  *http.ServeMux
}

// rpcs are the RPCs of the module and their return code on success.
var rpcs = map[string]string{
	"register-id-token": "registrationinprogress",
	"de-register":       "success",
	"renew-id":          "success",
	"renew-auth":        "success",
}

// Error is a RESTCONF error answer: the HTTP status and RFC 8040's
// error-type, error-tag and error-message.
type Error struct {
	Status  int
	Type    string
	Tag     string
	Message string
	// Allow is the Allow header of a 405: the methods the resource takes.
	Allow string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Tag, e.Message) }

func fail(status int, tag, format string, a ...any) *Error {
	typ := "application"
	if tag == "malformed-message" || tag == "access-denied" {
		typ = "protocol"
	}
	return &Error{Status: status, Type: typ, Tag: tag, Message: fmt.Sprintf(format, a...)}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := h.Device.View()
	if err != nil {
		h.writeError(w, fail(http.StatusInternalServerError, "operation-failed", "%v", err))
		return
	}
	if !v.Running.RESTCONF || !v.Running.HTTPSecureServer {
		http.NotFound(w, r)
		return
	}
	if !h.authorized(v.Running, r) {
		if h.AuthDelay >= 0 {
			d := h.AuthDelay
			if d == 0 {
				d = DefaultAuthDelay
			}
			time.Sleep(d)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="restconf"`)
		h.writeError(w, fail(http.StatusUnauthorized, "access-denied", "authentication failed"))
		return
	}
	h.once.Do(func() { h.mux = h.routes() })
	r = r.WithContext(context.WithValue(r.Context(), viewKey{}, v))
	httpmux.Serve(h.mux, w, r, func(w http.ResponseWriter, r *http.Request, status int) {
		if status == http.StatusMethodNotAllowed {
			h.writeError(w, notAllowed(r))
			return
		}
		h.writeError(w, fail(http.StatusNotFound, "invalid-value", "no such resource %s", r.URL.EscapedPath()))
	})
}

// viewKey holds, in a request's context, the device's view taken when
// the request was authorised.
type viewKey struct{}

// routes is RESTCONF's resources: each method and path pattern.
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/host-meta", h.answer(false, func(ios.View, *http.Request) (any, error) { return hostMeta, nil }))
	root := h.answer(true, func(ios.View, *http.Request) (any, error) {
		return Obj{{"ietf-restconf:restconf", Obj{{"data", Obj{}}, {"operations", Obj{}}, {"yang-library-version", "2016-06-21"}}}}, nil
	})
	mux.Handle("GET /restconf", root)
	mux.Handle("GET /restconf/{$}", root)
	mux.Handle("POST /restconf/operations/{rpc}", h.answer(true, func(_ ios.View, r *http.Request) (any, error) {
		return h.rpc(r, r.PathValue("rpc"), true)
	}))
	mux.Handle("GET /restconf/data/{path...}", h.answer(true, func(v ios.View, r *http.Request) (any, error) {
		segs, err := segments(strings.TrimPrefix(r.URL.EscapedPath(), "/restconf/data/"))
		if err != nil {
			return nil, err
		}
		return h.data(v, segs)
	}))
	// RPCs posted as data resources (how clients post them); the tree
	// itself is read-only.
	mux.Handle("POST /restconf/data/{node}", h.answer(true, func(_ ios.View, r *http.Request) (any, error) {
		node := r.PathValue("node")
		if _, name, _ := strings.Cut(node, ":"); name == "licensing" {
			e := fail(http.StatusMethodNotAllowed, "operation-not-supported", "the licensing tree is read-only here; configure with the CLI")
			e.Allow = "GET, HEAD"
			return nil, e
		}
		return h.rpc(r, node, false)
	}))
	return mux
}

// answer serves a resource: with yang, only to clients that take YANG
// JSON and with no query parameters (none is supported); then the
// resource's body, or its error.
func (h *Handler) answer(yang bool, f func(ios.View, *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := r.Context().Value(viewKey{}).(ios.View)
		out, err := func() (any, error) {
			if yang {
				if !acceptsJSON(r.Header.Get("Accept")) {
					return nil, fail(http.StatusNotAcceptable, "invalid-value", "only %s is served", MediaType)
				}
				for k := range r.URL.Query() {
					return nil, fail(http.StatusBadRequest, "invalid-value", "query parameter %q is not supported", k)
				}
			}
			return f(v, r)
		}()
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = fail(http.StatusInternalServerError, "operation-failed", "%v", err)
			}
			h.writeError(w, e)
			return
		}
		switch body := out.(type) {
		case nil:
			w.WriteHeader(http.StatusNoContent)
		case xrd:
			w.Header().Set("Content-Type", "application/xrd+xml")
			io.WriteString(w, string(body))
		default:
			data, err := json.MarshalIndent(body, "", "  ")
			if err != nil {
				h.writeError(w, fail(http.StatusInternalServerError, "operation-failed", "%v", err))
				return
			}
			w.Header().Set("Content-Type", MediaType)
			w.Write(append(data, '\n'))
		}
	})
}

// authorized checks HTTP Basic credentials against the local users:
// RESTCONF needs privilege 15.
func (h *Handler) authorized(cfg device.Config, r *http.Request) bool {
	name, pw, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u := cfg.User(name)
	return u != nil && u.Privilege == 15 && subtle.ConstantTimeCompare([]byte(u.Secret), []byte(pw)) == 1
}

type xrd string

const hostMeta = xrd("<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n    <Link rel='restconf' href='/restconf'/>\n</XRD>\n")

func notAllowed(r *http.Request) *Error {
	return fail(http.StatusMethodNotAllowed, "operation-not-supported", "method %s not allowed here", r.Method)
}

// acceptsJSON reports whether an Accept header admits YANG JSON.
func acceptsJSON(accept string) bool {
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch strings.ToLower(mt) {
		case MediaType, "application/json", "application/*", "*/*", "application/yang.data+json":
			return true
		}
	}
	return false
}

// segments splits a path into its unescaped segments.
func segments(path string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		u, err := url.PathUnescape(s)
		if err != nil || s == "" {
			return nil, fail(http.StatusBadRequest, "invalid-value", "bad path %s", path)
		}
		out = append(out, u)
	}
	return out, nil
}

// data serves /restconf/data/...: GETs of the licensing tree and of
// native/version, and RPCs posted as data resources (how clients post them).
func (h *Handler) data(v ios.View, segs []string) (any, error) {
	first := segs[0]
	if first == "native" || first == "Cisco-IOS-XE-native:native" {
		if len(segs) != 2 || segs[1] != "version" {
			return nil, fail(http.StatusNotFound, "invalid-value", "only native/version is served")
		}
		return Obj{{"Cisco-IOS-XE-native:version", NativeVersion(v)}}, nil
	}
	if first == "ietf-yang-library:modules-state" {
		if len(segs) != 1 {
			return nil, fail(http.StatusNotFound, "invalid-value", "only the whole modules-state is served")
		}
		return Obj{{"ietf-yang-library:modules-state", ModulesState()}}, nil
	}
	module, name, ok := strings.Cut(first, ":")
	if !ok || module != Module {
		return nil, fail(http.StatusNotFound, "invalid-value", "unknown data node %s", first)
	}
	if _, isRPC := rpcs[name]; isRPC {
		e := fail(http.StatusMethodNotAllowed, "operation-not-supported", "%s is an operation: POST it", first)
		e.Allow = http.MethodPost
		return nil, e
	}
	if name != "licensing" {
		return nil, fail(http.StatusNotFound, "invalid-value", "unknown data node %s", first)
	}
	var node any = Licensing(v)
	leaf := "licensing"
	for _, s := range segs[1:] {
		key, hasKey := "", false
		s, key, hasKey = strings.Cut(s, "=")
		if p, local, ok := strings.Cut(s, ":"); ok {
			if p != Module {
				return nil, fail(http.StatusNotFound, "invalid-value", "unknown data node %s", s)
			}
			s = local
		}
		obj, ok := node.(Obj)
		if !ok {
			return nil, fail(http.StatusNotFound, "invalid-value", "%s has no child %s", leaf, s)
		}
		child, ok := obj.Get(s)
		if !ok {
			return nil, fail(http.StatusNotFound, "invalid-value", "no data at %s", s)
		}
		leaf, node = s, child
		if hasKey {
			list, ok := child.([]Obj)
			if !ok {
				return nil, fail(http.StatusBadRequest, "invalid-value", "%s is not a list", s)
			}
			var found []Obj
			for _, e := range list {
				if k, _ := e.Get("entitlement-tag"); k == key {
					found = append(found, e)
				}
			}
			if len(found) == 0 {
				return nil, fail(http.StatusNotFound, "invalid-value", "no %s entry %q", s, key)
			}
			node = found
		}
	}
	return Obj{{Module + ":" + leaf, node}}, nil
}

// rpc runs one RPC. ops is true for /restconf/operations/<rpc> (input
// wrapped in "<module>:input"), false for the data-resource form real
// clients use (input wrapped in "<module>:<rpc>").
func (h *Handler) rpc(r *http.Request, qualified string, ops bool) (any, error) {
	module, name, ok := strings.Cut(qualified, ":")
	success, known := rpcs[name]
	if !ok || module != Module || !known {
		return nil, fail(http.StatusNotFound, "invalid-value", "unknown operation %s", qualified)
	}
	in, err := readInput(r, name, ops)
	if err != nil {
		return nil, err
	}
	var opErr error
	switch name {
	case "register-id-token":
		token, _ := in["id-token"].(string)
		force, _ := in["force"].(bool)
		if f, present := in["force"]; present {
			if _, isBool := f.(bool); !isBool {
				return nil, fail(http.StatusBadRequest, "invalid-value", "force must be a boolean")
			}
		}
		if t, present := in["id-token"]; present {
			if _, isString := t.(string); !isString {
				return nil, fail(http.StatusBadRequest, "invalid-value", "id-token must be a string")
			}
		}
		if token == "" {
			return output("BadInputParams"), nil
		}
		if len(token) > 255 {
			return nil, fail(http.StatusBadRequest, "invalid-value", "id-token is longer than 255 characters")
		}
		opErr = h.Device.Register(token, force)
	case "de-register":
		opErr = h.Device.Deregister()
	case "renew-id":
		opErr = h.Device.RenewID()
	case "renew-auth":
		opErr = h.Device.RenewAuth()
	}
	if opErr != nil {
		return output(ReturnCode(opErr)), nil
	}
	return output(success), nil
}

func output(code string) Obj {
	return Obj{{Module + ":output", Obj{{"return-code", code}}}}
}

// ReturnCode maps an agent's refusal to the RPC's error-enum. [model]
func ReturnCode(err error) string {
	switch {
	case errors.Is(err, agent.ErrAlreadyRegistered):
		return "alreadyregistered"
	case errors.Is(err, agent.ErrNotRegistered):
		return "notregistered"
	case errors.Is(err, agent.ErrBadToken):
		return "BadInputParams"
	}
	return "invalidrequest"
}

// readInput reads an RPC's input members. An empty body is no input.
func readInput(r *http.Request, rpc string, ops bool) (map[string]any, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fail(http.StatusBadRequest, "malformed-message", "reading the body: %v", err)
	}
	if len(data) > MaxBody {
		return nil, fail(http.StatusRequestEntityTooLarge, "too-big", "the body is larger than %d bytes", MaxBody)
	}
	if strings.TrimSpace(string(data)) == "" {
		return map[string]any{}, nil
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, fail(http.StatusBadRequest, "malformed-message", "the body is not a JSON object: %v", err)
	}
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	wrappers := []string{Module + ":" + rpc, rpc}
	if ops {
		wrappers = []string{Module + ":input", "input"}
	}
	for _, k := range wrappers {
		raw, ok := body[k]
		if !ok {
			continue
		}
		if len(body) != 1 {
			return nil, fail(http.StatusBadRequest, "invalid-value", "the body holds members besides %s", k)
		}
		in := map[string]any{}
		if string(raw) == "null" || string(raw) == "[null]" {
			return in, nil
		}
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, fail(http.StatusBadRequest, "malformed-message", "%s is not an object", k)
		}
		for name := range in {
			if name != "id-token" && name != "force" || rpc != "register-id-token" {
				return nil, fail(http.StatusBadRequest, "unknown-element", "%s has no input %s", rpc, name)
			}
		}
		return in, nil
	}
	return nil, fail(http.StatusBadRequest, "invalid-value", "the body must hold %s", wrappers[0])
}

func (h *Handler) writeError(w http.ResponseWriter, e *Error) {
	key := h.ErrorsKey
	if key == "" {
		key = DefaultErrorsKey
	}
	body := Obj{{key, Obj{{"error", []Obj{{{"error-type", e.Type}, {"error-tag", e.Tag}, {"error-message", e.Message}}}}}}}
	data, _ := json.MarshalIndent(body, "", "  ")
	w.Header().Set("Content-Type", MediaType)
	if e.Allow != "" {
		w.Header().Set("Allow", e.Allow)
	}
	w.WriteHeader(e.Status)
	w.Write(append(data, '\n'))
}
