package exercise_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/lab"
)

const minimal = `id: mine
title:
  en: Mine
  ja: 私の
objective:
  en: Register.
  ja: 登録する。
start: lab
check: registered
hint:
  en: Try.
  ja: 試す。
solution:
  en: Do it.
  ja: やる。
`

// Every catalogue exercise parses, in both languages, with the rules it
// names known.
func TestCatalogue(t *testing.T) {
	all, err := exercise.All()
	require.NoError(t, err)
	var ids []string
	for _, ex := range all {
		ids = append(ids, ex.ID)
		require.NoError(t, ex.Validate(), ex.ID)
	}
	assert.Equal(t, []string{"1", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "c9500", "dlc", "proxy", "register", "satellite", "tg"}, ids)
	_, err = exercise.Find("nope")
	assert.ErrorContains(t, err, `no exercise "nope"`)
}

// A file that is not a complete exercise is refused with the line and
// the reason.
func TestParseRefuses(t *testing.T) {
	ex, err := exercise.Parse([]byte(minimal))
	require.NoError(t, err)
	assert.Equal(t, exercise.Text{En: "Mine", Ja: "私の"}, ex.Title)
	for _, c := range []struct{ text, want string }{
		{"title:\n  en: x\n", "exercise: no id"},
		{minimal + "bogus: 1\n", `line 16: unknown directive "bogus"`},
		{minimal + "  stray words\n", "line 16: solution: want en: <text> or ja: <text>"},
		{"  en: x\n", "line 1: an indented line with no directive above it"},
		{minimal + "check: flying\n", `line 16: check "flying": unknown rule`},
		{minimal + "check: via boat\n", `check via "boat"`},
		{minimal + "check: version 99\n", "check version"},
		{minimal + "check: revocation-check SLA-TrustPoint maybe\n", `want none or crl`},
		{minimal + "check: did\n", "check did: want did"},
		{minimal + "wrong: reload\n", "wrong reload: want it in English and Japanese"},
		{minimal + "start: lab\n", "line 16: a second start"},
		{minimal + "id: other\n", "line 16: a second id"},
		{"id: Bad Id\n", `id "Bad Id"`},
		{minimal + "hint: now\n", "its texts go on the indented en: and ja: lines below"},
		{minimal + "hint:\n  fr: bonjour\n", `language "fr"`},
		{minimal + "check: saved\n  en: only English\n", "check saved: want it in English and Japanese"},
		{minimal + "setup: lab exercise start 1\n", "setup cannot start an exercise"},
		{"id: x\ntitle:\n  en: t\n  ja: t\nobjective:\n  en: o\n  ja: o\nstart: estate\n", "no estate lines"},
		{"id: x\nstart: somewhere\n", `start "somewhere"`},
		{minimal + "no colon here\n", "want key: value"},
	} {
		_, err := exercise.Parse([]byte(c.text))
		assert.ErrorContains(t, err, c.want, "%q", c.text)
	}
	long := make([]byte, exercise.MaxFile+1)
	_, err = exercise.Parse(long)
	assert.ErrorContains(t, err, "at most")
}

// FuzzParse: any file is either an exercise that validates or an error,
// never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	all, _ := exercise.All()
	for _, ex := range all[:3] {
		f.Add([]byte(fmt.Sprintf("id: %s\nstart: scenario %s\n", ex.ID, ex.ID)))
	}
	f.Add([]byte("start: estate\n  device a version 17.3.1 level network-advantage\n    switch C9300-24P FOC1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ex, err := exercise.Parse(b)
		if err == nil {
			require.NoError(t, ex.Validate())
		}
	})
}

func ExampleParse() {
	ex, err := exercise.Parse([]byte(minimal))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ex.ID, ex.Start.Kind, ex.Rules[0].Kind, ex.Title.In(exercise.Japanese))
	// Output: mine lab registered 私の
}

// A run saved with its world goes on where it was after a restart; a
// state that does not fit the exercise is refused.
func TestRunStateRoundTrip(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	s.Exec("lab exercise start register")
	for _, l := range []string{"enable", "license smart register idtoken $TOKEN", "lab advance 1m", "lab exercise hint"} {
		s.Exec(l)
	}
	w := s.Console().World()
	run := s.Run()
	b, err := json.Marshal(run.State())
	require.NoError(t, err)
	var st exercise.State
	require.NoError(t, json.Unmarshal(b, &st))
	ex, err := exercise.Find("register")
	require.NoError(t, err)
	again, err := exercise.Resume(ex, w, st)
	require.NoError(t, err)
	assert.Equal(t, run.Score(w.Now(), time.Time{}), again.Score(w.Now(), time.Time{}))
	require.NoError(t, w.WriteMemory("sw1"))
	v, err := again.Check(w, time.Time{}, exercise.English)
	require.NoError(t, err)
	assert.True(t, v.Solved, "%v", v.Why)

	other, err := exercise.Find("1")
	require.NoError(t, err)
	_, err = exercise.Resume(other, w, st)
	assert.ErrorContains(t, err, `the saved run is of "register"`)
	st.Did = st.Did[:1]
	_, err = exercise.Resume(ex, w, st)
	assert.ErrorContains(t, err, "does not fit")
}

// BenchmarkJudge is the class page's cost per pod and refresh: a run
// observed and judged on a registered lab switch.
func BenchmarkJudge(b *testing.B) {
	s, err := lab.New(1)
	require.NoError(b, err)
	s.Exec("lab exercise start register")
	for _, l := range []string{"enable", "license smart register idtoken $TOKEN", "lab advance 1m", "write memory"} {
		s.Exec(l)
	}
	w, run := s.Console().World(), s.Run()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := run.Judge(w, time.Time{}, exercise.English); err != nil {
			b.Fatal(err)
		}
	}
}
