package cssm

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The clean-up schedule: one entry per instance (its next check), per
// license lot (start, expiry notice, end) and per satellite. Entries are
// ordered by time, then kind and key, so the order is a function of the
// state alone: a restored registry rebuilds the same schedule.
type entryKind uint8

const (
	kindLot      entryKind = iota + 1 // expiry notice or end of a term lot
	kindLotStart                      // a lot whose start is in the future
	kindInstance
	kindSatellite
)

type entry struct {
	ns   int64 // the instant in Unix nanoseconds (clamped, see unixNano)
	kind entryKind
	key  string
	seq  uint64    // kindInstance: the push's number; the instance's live entry is the one with its sched
	inst *instance // kindInstance: the instance itself (key is its UDI)
}

// Less orders entries by time, kind, key and push (ties of the last kind
// are between an instance's live entry and dead ones, skipped anyway).
func (a entry) Less(b entry) bool {
	if a.ns != b.ns {
		return a.ns < b.ns
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if c := strings.Compare(a.key, b.key); c != 0 { // one pass over the keys, not an equality test and a comparison
		return c < 0
	}
	return a.seq < b.seq
}

// Instants as int64 nanoseconds, clamped outside 1678–2262 (where entries
// then tie on time and are ordered by kind and key).
var nsMin, nsMax = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// checkTime refuses a time a CSSM cannot run at: one not strictly between
// the ends of int64 nanoseconds (1677-09-21 and 2262-04-11). Deadlines
// beyond them are clamped to the ends and so never fall due; a clock at an
// end would find them due again each time it handled them.
func checkTime(t time.Time) error {
	if !t.After(nsMin) || !t.Before(nsMax) {
		return fmt.Errorf("%w time %s: outside 1677-09-21 – 2262-04-11, the instants CSSM holds", ErrInvalid, t.UTC().Format(time.RFC3339))
	}
	return nil
}

func unixNano(t time.Time) int64 {
	switch {
	case t.Before(nsMin):
		return math.MinInt64
	case t.After(nsMax):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// push schedules e at t.
func (r *registry) push(t time.Time, e entry) {
	e.ns = unixNano(t)
	r.sched.Push(e)
	r.floor = min(r.floor, e.ns)
}

// timeOf is an instant (Unix ns) as a time in the registry's zone.
func (r *registry) timeOf(ns int64) time.Time { return time.Unix(0, ns).In(r.now.Location()) }

// next returns the instant (Unix ns) of the earliest live entry or listed
// check, dropping stale entries.
func (r *registry) next() (int64, bool) {
	e, ok := r.peek()
	ns := e.ns
	if r.first != nil {
		if due := unixNano(r.connectCheck(r.first)); !ok || due < ns {
			ns, ok = due, true
		}
	}
	r.floor = math.MaxInt64
	if ok {
		r.floor = ns
	}
	return ns, ok
}

// peek returns the schedule's earliest live entry, dropping stale ones.
func (r *registry) peek() (entry, bool) {
	for r.sched.Len() > 0 {
		if e := r.sched.Peek(); r.live(e) {
			return e, true
		}
		r.sched.Pop()
	}
	return entry{}, false
}

func (r *registry) live(e entry) bool {
	switch e.kind {
	case kindInstance:
		// Removed instances have generation 0; rescheduled ones a newer entry.
		i := e.inst
		return i != nil && i.gen != 0 && i.sched == e.seq
	case kindLot:
		sa, va, id, ok := splitLotKey(e.key)
		if !ok {
			return false
		}
		l := r.findLot(sa, va, id)
		return l != nil && !lotNext(l, r.prof).IsZero() && unixNano(lotNext(l, r.prof)) == e.ns
	case kindLotStart:
		sa, va, id, ok := splitLotKey(e.key)
		if !ok {
			return false
		}
		l := r.findLot(sa, va, id)
		return l != nil && unixNano(l.Start) == e.ns
	}
	return true
}

func lotKey(sa, va string, id int) string { return fmt.Sprintf("%s\x00%s\x00%09d", sa, va, id) }

// splitLotKey parses lotKey's result without allocating: the clean-up
// schedule asks whether its earliest entry is live at every step.
func splitLotKey(k string) (string, string, int, bool) {
	sa, rest, ok1 := strings.Cut(k, "\x00")
	va, num, ok2 := strings.Cut(rest, "\x00")
	if !ok1 || !ok2 || strings.Contains(num, "\x00") {
		return "", "", 0, false
	}
	id, err := strconv.Atoi(num)
	if err != nil {
		return "", "", 0, false
	}
	return sa, va, id, true
}

func (r *registry) findLot(sa, va string, id int) *lot {
	a, ok := r.accounts[sa]
	if !ok {
		return nil
	}
	v, ok := a.vas[va]
	if !ok {
		return nil
	}
	for _, l := range v.lots {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// lotNext is the lot's next event: its start, the expiry notice, its end;
// zero when nothing is left to do.
func lotNext(l *lot, p Profile) time.Time {
	switch {
	case l.End.IsZero():
		return time.Time{} // perpetual: its start needs no event (supply is computed at each use)
	case !l.Warned:
		return l.End.Add(-p.TermExpiringNotice)
	case !l.Expired:
		return l.End
	}
	return time.Time{}
}

func (r *registry) scheduleLot(sa, va string, l *lot) {
	if t := lotNext(l, r.prof); !t.IsZero() {
		r.push(t, entry{kind: kindLot, key: lotKey(sa, va, l.ID)})
	}
	// A lot that starts in the future changes the supply then.
	if l.Start.After(r.now) {
		r.push(l.Start, entry{kind: kindLotStart, key: lotKey(sa, va, l.ID)})
	}
}

func (r *registry) scheduleInstance(i *instance, at time.Time) {
	i.NextCheck = at
	r.seq++
	i.sched = r.seq
	r.push(at, entry{kind: kindInstance, key: i.udiKey(), seq: r.seq, inst: i})
}

// quiet moves the registry on to now, as advance would, when nothing is
// due by then and now is not before its time (true); else it changes
// nothing. Devices renewing together ask at the same instant: that one is
// answered first.
func (r *registry) quiet(now time.Time) bool {
	if now == r.now {
		return r.nowNs < r.floor
	}
	if ns := unixNano(now); ns > r.nowNs && ns < r.floor {
		r.now, r.nowNs = now, ns
		return true
	}
	return false
}

// advance processes every live entry due at or before now, each at its own
// time; onSatellite handles satellite entries (CSSM only).
func (r *registry) advance(now time.Time, onSatellite func(e entry)) {
	if r.quiet(now) {
		return // nothing is due: the common case of a device's request
	}
	for {
		ns, ok := r.next()
		if !ok || ns > unixNano(now) {
			break
		}
		r.hand(ns) // listed checks due now join the schedule's entries
		e, _ := r.peek()
		r.sched.Pop()
		if at := r.timeOf(e.ns); at.After(r.now) {
			r.now = at
		}
		switch e.kind {
		case kindInstance:
			r.checkInstance(e.inst)
		case kindLot:
			r.fireLot(e)
		case kindLotStart:
			sa, va, _, _ := splitLotKey(e.key)
			r.accounts[sa].vas[va].cache = nil
			r.refreshShortages(sa, va)
		case kindSatellite:
			if onSatellite != nil {
				onSatellite(e)
			}
		}
	}
	r.now, r.nowNs = now, unixNano(now)
}

func (r *registry) fireLot(e entry) {
	sa, va, id, _ := splitLotKey(e.key)
	l := r.findLot(sa, va, id)
	name := r.licenseName(l.Tag)
	key := fmt.Sprintf("lot:%s/%s/%d", sa, va, id)
	if !l.Warned {
		l.Warned = true
		r.raise(key, Alert{Severity: SevMinor, Type: AlertLicensesExpiring, SA: sa, VA: va, Tag: l.Tag, Source: name, Due: l.End,
			Message: fmt.Sprintf("%d %s license(s) in %s expire on %s", l.Qty, name, va, l.End.Format(time.DateOnly))})
	} else {
		l.Expired = true
		r.clear(key)
		r.raise(key+":expired", Alert{Severity: SevMajor, Type: AlertLicensesExpired, SA: sa, VA: va, Tag: l.Tag, Source: name,
			Message: fmt.Sprintf("%d %s license(s) in %s expired on %s", l.Qty, name, va, l.End.Format(time.DateOnly))})
		v := r.accounts[sa].vas[va]
		v.lots = deleteLot(v.lots, id)
		v.cache = nil
		r.refreshShortages(sa, va)
		return
	}
	r.scheduleLot(sa, va, l)
}

func deleteLot(ls []*lot, id int) []*lot {
	out := ls[:0]
	for _, l := range ls {
		if l.ID != id {
			out = append(out, l)
		}
	}
	return out
}

// checkInstance applies the clean-up rules to an instance at r.now:
// FailedToConnectAfter (+ ConnectAlertGrace) → alert; ReleaseUsageAfter → usage released;
// RemoveInstanceAfter → removed.
func (r *registry) checkInstance(i *instance) {
	p := r.prof
	age := r.now.Sub(i.LastContact)
	src := func() string { return i.Hostname + " (" + i.UDI.String() + ")" } // only when an alert is raised
	connect := p.FailedToConnectAfter + p.ConnectAlertGrace
	switch {
	case age < connect: // not reached (the list hands instances over at their connect check), kept as the rule
		r.listSorted(i)
	case i.Connected:
		i.Connected = false
		src := src()
		r.raise("connect:"+i.udiKey(), Alert{Severity: SevMinor, Type: AlertFailedToConnect, SA: i.sa(), VA: i.va(), Source: src,
			Due:     i.LastContact.Add(p.ReleaseUsageAfter),
			Message: fmt.Sprintf("The product instance %s has not connected since %s", src, i.LastContact.Format(time.DateOnly))})
		r.scheduleInstance(i, i.LastContact.Add(p.ReleaseUsageAfter))
	case age < p.ReleaseUsageAfter:
		r.scheduleInstance(i, i.LastContact.Add(p.ReleaseUsageAfter))
	case i.Consuming:
		r.setUsage(i, i.Usage, false)
		src := src()
		i.renewAlert = true
		r.raise("renew:"+i.udiKey(), Alert{Severity: SevMajor, Type: AlertFailedToRenew, SA: i.sa(), VA: i.va(), Source: src,
			Due:     i.LastContact.Add(p.RemoveInstanceAfter),
			Message: fmt.Sprintf("The product instance %s failed to renew its authorization; its licenses were released", src)})
		r.scheduleInstance(i, i.LastContact.Add(p.RemoveInstanceAfter))
	case age < p.RemoveInstanceAfter:
		r.scheduleInstance(i, i.LastContact.Add(p.RemoveInstanceAfter))
	default:
		sa, va, src := i.sa(), i.va(), src()
		r.log(sa, va, "Product instance %s was removed after a year without contact.", instanceName(i))
		r.removeInstance(i)
		r.raise("removed:"+i.udiKey()+":"+r.now.Format(time.RFC3339), Alert{Severity: SevInfo, Type: AlertInstanceRemoved, SA: sa, VA: va, Source: src,
			Message: fmt.Sprintf("The product instance %s was removed after a year without contact", src)})
	}
}

// The contact list. An instance's next check is mostly its connect check
// (LastContact + FailedToConnectAfter + ConnectAlertGrace), and most
// instances make contact again before it comes: a schedule entry per
// contact would be pushed, and popped or found stale, once per renewal.
// Instead the instances whose next check is the connect check wait on a
// list by last contact, oldest first (contacts come in time order: one
// moves its instance to the end), and those the clock reaches are handed
// to the schedule at their check's instant. The checks happen when, and in
// the order, an entry per contact would have made them.

// connectCheck is the instant of an instance's connect check.
func (r *registry) connectCheck(i *instance) time.Time {
	return i.LastContact.Add(r.prof.FailedToConnectAfter + r.prof.ConnectAlertGrace)
}

// nextCheck is the instant of an instance's next check.
func (r *registry) nextCheck(i *instance) time.Time {
	if i.listed {
		return r.connectCheck(i)
	}
	return i.NextCheck
}

// list puts i at the end of the contact list; its last contact is the
// latest (the caller's r.now, or a restore in order). Its schedule entry,
// if any, is dead from now on.
func (r *registry) list(i *instance) {
	if r.last == nil {
		r.floor = min(r.floor, unixNano(r.connectCheck(i))) // the floor knew of no listed check
	}
	r.insertAfter(i, r.last)
}

// listSorted puts i on the contact list in its place by last contact
// (an instance restored with an early check: rare, so a walk from the end).
func (r *registry) listSorted(i *instance) {
	after := r.last
	for after != nil && after.LastContact.After(i.LastContact) {
		after = after.prev
	}
	r.insertAfter(i, after)
	r.floor = min(r.floor, unixNano(r.connectCheck(i)))
}

// insertAfter links i into the contact list after after (first if nil);
// its schedule entry, if any, is dead from now on.
func (r *registry) insertAfter(i, after *instance) {
	i.sched = 0 // entries are numbered from 1
	i.listed, i.prev = true, after
	if after != nil {
		i.next, after.next = after.next, i
	} else {
		i.next, r.first = r.first, i
	}
	if i.next != nil {
		i.next.prev = i
	} else {
		r.last = i
	}
}

// unlist takes i off the contact list.
func (r *registry) unlist(i *instance) {
	if i.prev != nil {
		i.prev.next = i.next
	} else {
		r.first = i.next
	}
	if i.next != nil {
		i.next.prev = i.prev
	} else {
		r.last = i.prev
	}
	i.listed, i.prev, i.next = false, nil, nil
}

// hand moves the listed instances whose connect check is at due (the
// first ones: the list is by last contact) to the schedule.
func (r *registry) hand(due int64) {
	for r.first != nil {
		i := r.first
		at := r.connectCheck(i)
		if unixNano(at) != due {
			return
		}
		r.unlist(i)
		r.scheduleInstance(i, at)
	}
}
