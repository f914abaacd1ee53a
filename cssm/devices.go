package cssm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
)

// Backend is what an agent's messages are delivered to: a CSSM or a
// satellite. Handle answers one request at now. Business refusals are
// license.Failure answers; the error is for input that could not have come
// from an agent (nil message, bad UDI, time going backwards), and changes
// nothing.
type Backend interface {
	Handle(now time.Time, msg license.Message) (license.Answer, error)
}

// Reasons of refused device requests. [seed] unless marked.
const (
	// ReasonInstanceNotFound answers a request from a UDI the back end does
	// not know (removed, or never registered). [model]
	ReasonInstanceNotFound = "Product instance not found"
)

// clockReason is seed scenario 3's failure text for a device clock beyond
// the tolerance: the device's date in epoch milliseconds.
func clockReason(device time.Time) string {
	return fmt.Sprintf(`{"timestamp": ["The device date '%d' is offset beyond the allowed tolerance limit."]}`, device.UnixMilli())
}

// alreadyRegistered chooses among the seed's three texts for a known UDI
// registered without force: the headline "Product Already Registered",
// or with Profile.AlreadyRegisteredVariants [model: which text when]
//   - the instance consumes licenses: "Existing Product Instance has
//     Consumption and Force Flag is False";
//   - the instance belongs to another smart account: "The product <PID> and
//     sudi containing udiSerialNumber:<SN>,udiPid:<PID> has already been registered.";
//   - otherwise: "Product Already Registered".
func alreadyRegistered(i *instance, sa string, variants bool) string {
	switch {
	case !variants:
	case i.Consuming && len(i.Usage) > 0:
		return license.ReasonConsumptionNoForce
	case i.sa() != sa:
		return fmt.Sprintf("The product %s and sudi containing udiSerialNumber:%s,udiPid:%s has already been registered.", i.UDI.PID, i.UDI.SN, i.UDI.PID)
	}
	return license.ReasonAlreadyRegistered
}

func fail(id uint64, class license.FailureClass, reason string) license.Failure {
	return license.Failure{ID: id, Class: class, Reason: reason}
}

func (r *registry) checkMessage(now time.Time, msg license.Message) (license.UDI, error) {
	if msg == nil {
		return license.UDI{}, fmt.Errorf("%w: nil message", ErrInvalid)
	}
	if err := r.at(now); err != nil {
		return license.UDI{}, err
	}
	var u license.UDI
	switch m := msg.(type) {
	case license.Register:
		u = m.UDI
		for _, mu := range m.Members {
			if err := mu.Validate(); err != nil {
				return license.UDI{}, fmt.Errorf("%w register %d: member UDI: %v", ErrInvalid, m.ID, err)
			}
		}
	case license.Authorize:
		u = m.UDI
		if err := license.ValidateUsage(m.Usage); err != nil {
			return license.UDI{}, fmt.Errorf("%w authorize %d: %v", ErrInvalid, m.ID, err)
		}
	case license.RenewID:
		u = m.UDI
	case license.Deregister:
		u = m.UDI
	default:
		return license.UDI{}, fmt.Errorf("%w: unknown message type %T", ErrInvalid, msg)
	}
	if err := u.Validate(); err != nil {
		return license.UDI{}, fmt.Errorf("%w %s %d: UDI: %v", ErrInvalid, msg.Kind(), msg.RequestID(), err)
	}
	return u, nil
}

// handle answers a device request at r.now (the caller has advanced).
func (r *registry) handle(msg license.Message) license.Answer {
	if r.busy {
		return fail(msg.RequestID(), license.FailBusy, license.ReasonBusy)
	}
	switch m := msg.(type) {
	case license.Register:
		return r.register(m)
	case license.Authorize:
		return r.authorize(m)
	case license.RenewID:
		i, refusal := r.signedInstance(m.ID, m.UDI, m.KeyID)
		if refusal != nil {
			return refusal
		}
		r.renewID(i)
		return license.RenewIDReply{ID: m.ID, CertStart: i.CertStart, CertSerial: i.CertSerial}
	case license.Deregister:
		i, ok := r.insts[m.UDI.String()]
		if !ok {
			return fail(m.ID, license.FailRejected, ReasonInstanceNotFound)
		}
		r.logDevice(i, "deregistered")
		r.removeInstance(i)
		return license.DeregisterReply{ID: m.ID}
	}
	return nil
}

// authTime is the time an authorization given now carries (back-dated by
// AuthSkew), computed once an instant: devices renewing together ask at
// the same one.
func (r *registry) authTime() time.Time {
	if r.authFor != r.now {
		r.authFor, r.authAt = r.now, r.now.Add(-r.prof.AuthSkew)
	}
	return r.authAt
}

// renewID gives a signed instance a new ID certificate.
func (r *registry) renewID(i *instance) {
	r.contact(i)
	i.CertStart, i.CertSerial = r.now.Add(-r.prof.CertSkew), r.serial()
}

// serial is a certificate serial: 48 random bits in upper-case hex, no
// leading zeros (as fmt's %X).
func (r *registry) serial() string {
	return hexUpper(r.rng.Uint64() & 0xffffffffffff)
}

func hexUpper(v uint64) string {
	const digits = "0123456789ABCDEF"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[v&15]
		if v >>= 4; v == 0 {
			return string(b[i:])
		}
	}
}

func (r *registry) register(m license.Register) license.Answer {
	if !m.DeviceTime.IsZero() {
		if off := m.DeviceTime.Sub(r.now); off > r.prof.ClockTolerance || -off > r.prof.ClockTolerance {
			return fail(m.ID, license.FailBusy, clockReason(m.DeviceTime))
		}
	}
	tok, reason := r.tokenRefusal(m.Token)
	if reason != "" {
		return fail(m.ID, license.FailRejected, reason)
	}
	key := m.UDI.String()
	if old, ok := r.insts[key]; ok {
		if !m.Force {
			return fail(m.ID, license.FailRejected, alreadyRegistered(old, tok.SA, r.prof.AlreadyRegisteredVariants))
		}
		r.removeInstance(old)
	}
	tok.Uses++
	r.nextGen++
	i := &instance{UDI: m.UDI, Hostname: m.Hostname, vacc: r.accounts[tok.SA].vas[tok.VA], Registered: r.now, LastContact: r.now,
		CertStart: r.now.Add(-r.prof.CertSkew), CertSerial: r.serial(), Connected: true, gen: r.nextGen,
		extra: newExtra(m.Members, m.KeyID)}
	if i.Hostname == "" {
		i.Hostname = m.UDI.SN
	}
	r.insts[key] = i
	i.vacc.ninst++
	r.list(i)
	r.logDevice(i, "registered")
	return license.RegisterReply{ID: m.ID, SmartAccount: tok.SA, VirtualAccount: tok.VA, ExportControlled: tok.ExportControlled,
		CertStart: i.CertStart, CertSerial: i.CertSerial}
}

// signedBy reports whether a request's key matches the one the instance
// registered with (seed scenario 9: "Data and signature do not match").
// Requests that carry no key are not checked.
func signedBy(i *instance, key string) bool {
	return key == "" || i.keyID() == "" || key == i.keyID()
}

// contact records a message from the instance: it is connected again.
func (r *registry) contact(i *instance) {
	i.LastContact = r.now
	switch {
	case !i.listed: // back from a later check: the connect check is next again
		r.list(i)
	case i != r.last:
		r.unlist(i)
		r.list(i)
	}
	if !i.Connected {
		i.Connected = true
		r.clear("connect:" + i.udiKey())
	}
	if i.renewAlert { // the flag spares a key and a lookup per contact
		i.renewAlert = false
		r.clear("renew:" + i.udiKey())
	}
}

// signedInstance finds the instance a signed request comes from, or the
// refusal to answer with: not registered, or signed with another key.
func (r *registry) signedInstance(id uint64, udi license.UDI, key string) (*instance, license.Answer) {
	i, ok := r.insts[udi.String()]
	if !ok {
		return nil, fail(id, license.FailRejected, ReasonInstanceNotFound)
	}
	if !signedBy(i, key) {
		return nil, fail(id, license.FailRejected, license.ReasonSignatureMismatch)
	}
	return i, nil
}

func (r *registry) authorize(m license.Authorize) license.Answer {
	i, refusal := r.signedInstance(m.ID, m.UDI, m.KeyID)
	if refusal != nil {
		return refusal
	}
	st := r.consume(i, m.Usage, true)
	usage := i.Usage
	ans := license.AuthorizeReply{ID: m.ID, Time: r.authTime()}
	if len(usage) > 0 {
		ans.Entitlements = make([]license.Entitlement, 0, len(usage))
	}
	for _, u := range usage {
		t := st.tag(u.Tag) // present, names and all: the instance's usage is in the demand
		ans.Entitlements = append(ans.Entitlements, license.Entitlement{Tag: u.Tag, Name: t.Name, Description: t.Description, Count: u.Count,
			InCompliance: t.Shortfall == 0})
	}
	return ans
}

// consume records an authorization request of an instance for usage
// (checked by the caller; copied if copyUsage): it is connected, consumes
// usage, and its VA's balance is returned.
func (r *registry) consume(i *instance, usage []license.Usage, copyUsage bool) *vaState {
	r.contact(i)
	switch {
	case sameUsage(i.Usage, usage):
		usage = i.Usage
	case copyUsage:
		usage = slices.Clone(usage) // copied only when it changed
	}
	r.setUsage(i, usage, true)
	return r.state(i.vacc)
}

// productName is how reports name a PID's product family ("C9300").
func productName(pid string) string {
	if i := strings.IndexByte(pid, '-'); i > 0 {
		return pid[:i]
	}
	return pid
}
