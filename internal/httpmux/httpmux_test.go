package httpmux

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServe(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "thing "+r.PathValue("id")) })
	mux.HandleFunc("POST /things/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "posted") })
	fail := func(w http.ResponseWriter, r *http.Request, status int) {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"code":%d}`, status)
	}
	do := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		Serve(mux, rec, httptest.NewRequest(method, path, nil), fail)
		return rec
	}
	ok := do("GET", "/things/7")
	assert.Equal(t, 200, ok.Code)
	assert.Equal(t, "thing 7", ok.Body.String(), "the handler sees the path's values")

	missing := do("GET", "/nothing")
	assert.Equal(t, 404, missing.Code)
	assert.Equal(t, `{"code":404}`, missing.Body.String())

	wrong := do("DELETE", "/things/7")
	assert.Equal(t, 405, wrong.Code)
	assert.Equal(t, `{"code":405}`, wrong.Body.String())
	assert.Equal(t, "GET, HEAD, POST", wrong.Header().Get("Allow"))
}
