// Package httpmux routes with the standard library's ServeMux and its
// method and path patterns, and lets a server answer the mux's own "not
// found" and "method not allowed" in the server's error format (JSON for
// the CSSM API, RFC 8040 errors for RESTCONF), keeping the Allow header
// of a 405.
package httpmux

import "net/http"

// ErrorFunc writes a server's error answer for status (404 or 405); on a
// 405 the Allow header is already set on w.
type ErrorFunc func(w http.ResponseWriter, r *http.Request, status int)

// Serve serves r with mux, or answers with fail when no pattern matches
// its path (404) or none allows its method (405).
func Serve(mux *http.ServeMux, w http.ResponseWriter, r *http.Request, fail ErrorFunc) {
	h, pattern := mux.Handler(r)
	if pattern != "" {
		mux.ServeHTTP(w, r) // matched again, so that the handler sees the path's values
		return
	}
	rec := &recorder{header: http.Header{}, status: http.StatusNotFound}
	h.ServeHTTP(rec, r)
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	status := rec.status
	if status != http.StatusMethodNotAllowed {
		status = http.StatusNotFound
	}
	fail(w, r, status)
}

// recorder keeps what the mux's own error handler sets: its status and
// headers. The body (plain text) is dropped.
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(status int)      { r.status = status }
