package sim_test

import (
	"testing"
	"time"

	"github.com/slsim/slsim/sim"
)

// FuzzLoad feeds Load mutations of small saved worlds: it must refuse
// what no world wrote with an error, never panic, and a world it accepts
// must save and load again. The seeds are small (an empty world's save),
// so that the fuzzer explores at thousands of inputs a second.
func FuzzLoad(f *testing.F) {
	w, err := sim.New(sim.Config{Start: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), Seed: 1, Window: 4})
	if err != nil {
		f.Fatal(err)
	}
	data, err := w.Save()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"version":2,"now":"2024-03-01T09:00:00Z","window":4,"events":[{"seq":1,"kind":"fault","note":"x"}],"lastSeq":1}`))
	f.Add([]byte(`{"version":1,"now":"2024-03-01T09:00:00Z","trace":[{"kind":"log","source":"sw1","text":"%SMART_LIC-6-X: y"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := sim.Load(data)
		if err != nil {
			return
		}
		again, err := w.Save()
		if err != nil {
			t.Fatalf("a loaded world does not save: %v", err)
		}
		if _, err := sim.Load(again); err != nil {
			t.Fatalf("a saved world does not load: %v", err)
		}
	})
}
