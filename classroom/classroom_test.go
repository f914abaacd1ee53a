package classroom_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/classroom"
	"github.com/slsim/slsim/exercise"
)

type fakeClass struct{ hints, resets []string }

func (f *fakeClass) Entries() []exercise.Entry {
	return []exercise.Entry{{Pod: "pod1", Score: exercise.Score{Exercise: "4", Solved: true, Last: []string{"<script>"}}}}
}

func (f *fakeClass) Hint(pod string) (string, error) {
	if pod != "pod1" {
		return "", classroom.ErrNoPod
	}
	f.hints = append(f.hints, pod)
	return "look", nil
}

func (f *fakeClass) Reset(pod string) error {
	if pod != "pod1" {
		return errors.New("no")
	}
	f.resets = append(f.resets, pod)
	return nil
}

// The page opens for the instructor's login only; its actions need the
// page's own form token; what trainees typed is shown as text, never as
// markup.
func TestPageGuardsItsActions(t *testing.T) {
	class := &fakeClass{}
	srv := httptest.NewTLSServer(&classroom.Page{User: "teacher", Password: "chalk", Class: class})
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	get := func(path string) (int, string) {
		res, err := c.Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	post := func(path string, form url.Values) (int, string) {
		res, err := c.PostForm(srv.URL+path, form)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/class")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `id="signin"`)
	code, _ = get("/class/data.json")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body = post("/class/login", url.Values{"username": {"admin"}, "password": {"cisco"}})
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, body, "not a trainee")
	code, _ = post("/class/login", url.Values{"username": {"teacher"}, "password": {"chalk"}})
	require.Equal(t, http.StatusOK, code, "redirected to the page")
	code, body = get("/class")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "&lt;script&gt;")
	assert.NotContains(t, body, "<pre><script>")
	csrf := regexp.MustCompile(`data-csrf="([0-9a-f]+)"`).FindStringSubmatch(body)
	require.NotNil(t, csrf)
	code, body = get("/class/data.json")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"state":"solved"`)

	code, _ = post("/class/hint", url.Values{"pod": {"pod1"}})
	assert.Equal(t, http.StatusForbidden, code, "no form token")
	assert.Empty(t, class.hints)
	code, body = post("/class/hint", url.Values{"pod": {"pod1"}, "csrf": {csrf[1]}})
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "pod1: look")
	code, body = post("/class/hint", url.Values{"pod": {"pod9"}, "csrf": {csrf[1]}})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "no such pod")
	code, _ = post("/class/reset", url.Values{"pod": {"pod1"}, "csrf": {csrf[1]}})
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"pod1"}, class.resets)
	code, _ = get("/class/nothing")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post("/class/login", url.Values{"username": {strings.Repeat("x", 10000)}})
	assert.Equal(t, http.StatusBadRequest, code, "a form past its bound")

	code, _ = post("/class/logout", url.Values{"csrf": {csrf[1]}})
	assert.Equal(t, http.StatusOK, code)
	code, _ = get("/class/data.json")
	assert.Equal(t, http.StatusUnauthorized, code)
}
