package restconf

import (
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/sim"
)

// WorldDevice is a Device on a switch of a world. lock runs its function
// with the world to itself and brought up to the present (serve passes its
// runner's Do); nil runs it as is, for a world nobody else touches.
func WorldDevice(w *sim.World, name string, lock func(func())) Device {
	if lock == nil {
		lock = func(f func()) { f() }
	}
	return &worldDevice{w: w, name: name, lock: lock}
}

type worldDevice struct {
	w    *sim.World
	name string
	lock func(func())
}

func (d *worldDevice) View() (v ios.View, err error) {
	d.lock(func() { v, err = ios.ViewOf(d.w, d.name) })
	return v, err
}

func (d *worldDevice) Register(token string, force bool) (err error) {
	d.lock(func() { _, err = d.w.Register(d.name, token, force) })
	return err
}

func (d *worldDevice) Deregister() (err error) {
	d.lock(func() { err = d.w.Deregister(d.name) })
	return err
}

func (d *worldDevice) RenewAuth() (err error) {
	d.lock(func() { err = d.w.RenewAuth(d.name) })
	return err
}

func (d *worldDevice) RenewID() (err error) {
	d.lock(func() { err = d.w.RenewID(d.name) })
	return err
}
