package serve

import (
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/sim"
)

// The OIDs a served switch answers, as facts from the MIBs that define
// them (their texts are not redistributed):
//
//   - SNMPv2-MIB (RFC 3418) system group, 1.3.6.1.2.1.1: sysDescr (1),
//     sysObjectID (2), sysUpTime (3), sysContact (4), sysName (5),
//     sysLocation (6), sysServices (7).
//   - ENTITY-MIB (RFC 6933) entPhysicalTable, 1.3.6.1.2.1.47.1.1.1.1:
//     entPhysicalDescr (2), entPhysicalClass (5: chassis 3, stack 11),
//     entPhysicalName (7), entPhysicalSerialNum (11),
//     entPhysicalModelName (13).
//   - CISCO-SMART-LIC-MIB, revision 2016-04-05, 1.3.6.1.4.1.9.9.831.0:
//     ciscoSlaInstanceId (1), ciscoSlaSUDIInfo (2), ciscoSlaVersion (3),
//     ciscoSlaEnabled (4); ciscoSlaEntitlementInfoTable (5.1.1) with
//     RequestCount (2), Tag (3), Version (4), EnforceMode (5: initialized
//     1, waiting 2, authorized 3, outOfCompliance 4, overage 5,
//     evaluationPeriod 6, evaluationExpired 7, gracePeriod 8,
//     gracePeriodExpired 9, disabled 10, invalidTag 11), Description (6),
//     FeatureName (7); ciscoSlaRegistrationStatus (6.1: notRegistered 1,
//     registrationInProgress 2, registrationFailed 3,
//     registrationRetryinProgress 4, registrationCompleted 5),
//     ciscoSlaVirtualAccount (6.2), ciscoSlaNextCertificateExpireTime
//     (6.3), ciscoSlaEnterpriseAccountName (6.4), the registration attempt
//     (6.5.1 init time, 6.5.2 success, 6.5.3 failure reason, 6.5.4 next
//     retry), the renewal attempt (6.6.1–6.6.4), ciscoSlaAuthExpireTime
//     (7.1), ciscoSlaAuthComplianceStatus (7.2),
//     ciscoSlaAuthEvalPeriodInUse (7.4.1).
//
// Scalars answer at their instance, the object's OID and .0. Times
// (Unsigned32) are seconds since 1970 on the switch's clock, 0 when not
// set. [model: the MIB's unit]
const (
	oidSystem    = "1.3.6.1.2.1.1"
	oidEntPhys   = "1.3.6.1.2.1.47.1.1.1.1"
	oidSmartLic  = "1.3.6.1.4.1.9.9.831.0"
	oidCiscoProd = "1.3.6.1.4.1.9.1" // sysObjectID's products branch
)

// productOID is a platform's sysObjectID under ciscoProducts. [model: the
// numbers]
var productOID = map[string]string{"C9200": "2709", "C9300": "2494", "C9400": "2530", "C9500": "2536", "C3850": "1745"}

// MaxBulk bounds the varbinds of one GETBULK answer.
const MaxBulk = 64

// varbind is one OID and its value.
type varbind struct {
	oid []int
	pdu gosnmp.SnmpPDU
}

func parseOID(s string) ([]int, bool) {
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// mib is a switch's MIB view, sorted by OID.
type mib []varbind

func (m *mib) add(oid string, t gosnmp.Asn1BER, v any) {
	o, _ := parseOID(oid)
	*m = append(*m, varbind{oid: o, pdu: gosnmp.SnmpPDU{Name: "." + oid, Type: t, Value: v}})
}

// buildMIB renders the switch's state as the MIB objects above.
func buildMIB(v ios.View, run device.Config, booted time.Time) mib {
	var m mib
	st := v.Status
	t := v.Topology
	ver := t.Version
	descr := "Cisco IOS Software, Catalyst L3 Switch Software (CAT9K_IOSXE), Version " + ver.String() + ", RELEASE SOFTWARE (fc2)\r\nTechnical Support: http://www.cisco.com/techsupport"
	m.add(oidSystem+".1.0", gosnmp.OctetString, descr)
	m.add(oidSystem+".2.0", gosnmp.ObjectIdentifier, "."+oidCiscoProd+"."+productOID[strings.ToUpper(t.Platform().String())])
	m.add(oidSystem+".3.0", gosnmp.TimeTicks, uint32(max(0, v.Now.Sub(booted))/(10*time.Millisecond)))
	m.add(oidSystem+".4.0", gosnmp.OctetString, run.SNMP.Contact)
	name := run.Hostname
	if run.DomainName != "" {
		name += "." + run.DomainName
	}
	m.add(oidSystem+".5.0", gosnmp.OctetString, name)
	m.add(oidSystem+".6.0", gosnmp.OctetString, run.SNMP.Location)
	m.add(oidSystem+".7.0", gosnmp.Integer, 6)

	// ENTITY-MIB: the stack or chassis at 1, its members at 1000 × n.
	type ent struct {
		idx                    int
		descr, name, sn, model string
		class                  int
	}
	var ents []ent
	switch {
	case len(t.Chassis) > 0:
		for i, c := range t.Chassis {
			ents = append(ents, ent{idx: 1 + i, descr: "Cisco Catalyst 9400 Series Chassis", name: "Chassis " + strconv.Itoa(i+1), sn: c.SN, model: c.PID, class: 3})
		}
	case len(t.Switches) > 0:
		ents = append(ents, ent{idx: 1, descr: "c9xxx Stack", name: "Stack", sn: t.Switches[0].SN, model: t.Switches[0].PID, class: 11})
		for i, u := range t.Switches {
			ents = append(ents, ent{idx: 1000 * (i + 1), descr: u.PID, name: "Switch " + strconv.Itoa(i+1), sn: u.SN, model: u.PID, class: 3})
		}
	}
	for _, col := range []int{2, 5, 7, 11, 13} {
		for _, e := range ents {
			oid := oidEntPhys + "." + strconv.Itoa(col) + "." + strconv.Itoa(e.idx)
			switch col {
			case 2:
				m.add(oid, gosnmp.OctetString, e.descr)
			case 5:
				m.add(oid, gosnmp.Integer, e.class)
			case 7:
				m.add(oid, gosnmp.OctetString, e.name)
			case 11:
				m.add(oid, gosnmp.OctetString, e.sn)
			case 13:
				m.add(oid, gosnmp.OctetString, e.model)
			}
		}
	}

	// CISCO-SMART-LIC-MIB.
	secs := func(tm time.Time) uint32 {
		if tm.IsZero() {
			return 0
		}
		return uint32(max(0, tm.Unix()))
	}
	truth := func(b bool) int {
		if b {
			return 1
		}
		return 2
	}
	m.add(oidSmartLic+".1.0", gosnmp.Gauge32, uint32(1))
	m.add(oidSmartLic+".2.0", gosnmp.OctetString, st.UDI.String())
	m.add(oidSmartLic+".3.0", gosnmp.OctetString, ios.AgentVersion)
	m.add(oidSmartLic+".4.0", gosnmp.Integer, truth(true))
	for col := 2; col <= 7; col++ {
		for i, e := range st.Entitlements {
			oid := oidSmartLic + ".5.1.1." + strconv.Itoa(col) + "." + strconv.Itoa(i+1)
			switch col {
			case 2:
				m.add(oid, gosnmp.Gauge32, uint32(e.Count))
			case 3:
				m.add(oid, gosnmp.OctetString, e.Tag)
			case 4:
				m.add(oid, gosnmp.OctetString, "1.0")
			case 5:
				m.add(oid, gosnmp.Integer, enforceMode(e.Status))
			case 6:
				m.add(oid, gosnmp.OctetString, e.Description)
			case 7:
				m.add(oid, gosnmp.OctetString, e.Name)
			}
		}
	}
	m.add(oidSmartLic+".6.1.0", gosnmp.Integer, registrationStatus(st))
	m.add(oidSmartLic+".6.2.0", gosnmp.OctetString, st.VirtualAccount)
	m.add(oidSmartLic+".6.3.0", gosnmp.Gauge32, secs(st.RegistrationExpires))
	m.add(oidSmartLic+".6.4.0", gosnmp.OctetString, st.SmartAccount)
	m.add(oidSmartLic+".6.5.1.0", gosnmp.Gauge32, secs(st.InitialRegistration.At))
	m.add(oidSmartLic+".6.5.2.0", gosnmp.Integer, truth(st.InitialRegistration.Result == agent.ResultSucceeded))
	m.add(oidSmartLic+".6.5.3.0", gosnmp.OctetString, st.InitialRegistration.Reason)
	m.add(oidSmartLic+".6.5.4.0", gosnmp.Gauge32, secs(st.NextRegistrationAttempt))
	m.add(oidSmartLic+".6.6.1.0", gosnmp.Gauge32, secs(st.LastRenewal.At))
	m.add(oidSmartLic+".6.6.2.0", gosnmp.Integer, truth(st.LastRenewal.Result == agent.ResultSucceeded))
	m.add(oidSmartLic+".6.6.3.0", gosnmp.OctetString, st.LastRenewal.Reason)
	m.add(oidSmartLic+".6.6.4.0", gosnmp.Gauge32, secs(st.NextRenewalAttempt))
	m.add(oidSmartLic+".7.1.0", gosnmp.Gauge32, secs(st.CommunicationDeadline))
	m.add(oidSmartLic+".7.2.0", gosnmp.OctetString, st.Authorization)
	m.add(oidSmartLic+".7.4.1.0", gosnmp.Integer, truth(st.EvalRunning))
	slices.SortFunc(m, func(a, b varbind) int { return slices.Compare(a.oid, b.oid) })
	return m
}

// enforceMode is an entitlement's status as the MIB's enumeration.
func enforceMode(status string) int {
	switch status {
	case agent.AuthWaiting:
		return 2
	case agent.AuthAuthorized:
		return 3
	case agent.AuthOutOfComp:
		return 4
	case agent.AuthEvalMode:
		return 6
	case agent.AuthEvalExpired, agent.AuthExpired:
		return 7
	}
	return 1
}

// registrationStatus is the registration as the MIB's enumeration.
func registrationStatus(st agent.Status) int {
	switch st.Registration {
	case agent.RegRegistered:
		return 5
	case agent.RegRegistrationFailed:
		return 3
	case agent.RegRegistering:
		if st.InitialRegistration.Result == agent.ResultFailed {
			return 4
		}
		return 2
	}
	return 1
}

// answerSNMP answers SNMPv1/v2c requests on one switch's UDP socket until
// it is closed: GET, GETNEXT and GETBULK on the MIB view, for a community
// the switch's configuration has; a wrong community gets no answer, a SET
// is refused as read-only.
func (s *Server) answerSNMP(name string, u *net.UDPConn) {
	buf := make([]byte, 64*1024)
	dec := &gosnmp.GoSNMP{}
	for {
		n, from, err := u.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		req, err := dec.SnmpDecodePacket(buf[:n])
		if err != nil || (req.Version != gosnmp.Version2c && req.Version != gosnmp.Version1) {
			continue
		}
		var m mib
		ok := false
		s.run.View(func() {
			d, found := s.w.Device(name)
			if !found {
				return
			}
			run := d.Running()
			if !slices.ContainsFunc(run.SNMP.Communities, func(c device.Community) bool { return c.Name == req.Community }) {
				return
			}
			v, err := ios.ViewOf(s.w, name)
			if err != nil {
				return
			}
			m, ok = buildMIB(v, run, d.BootedAt()), true
		})
		if !ok {
			continue // a wrong community: no answer, as SNMP does
		}
		resp := answer(req, m)
		out, err := resp.MarshalMsg()
		if err != nil {
			continue
		}
		u.WriteToUDP(out, from)
	}
}

// answer is the response PDU to a request on m.
func answer(req *gosnmp.SnmpPacket, m mib) *gosnmp.SnmpPacket {
	resp := &gosnmp.SnmpPacket{Version: req.Version, Community: req.Community, PDUType: gosnmp.GetResponse, RequestID: req.RequestID}
	v2 := req.Version == gosnmp.Version2c
	at := func(oid []int) (int, bool) {
		i, found := slices.BinarySearchFunc(m, oid, func(v varbind, o []int) int { return slices.Compare(v.oid, o) })
		return i, found
	}
	next := func(oid []int) (gosnmp.SnmpPDU, bool) {
		i, found := at(oid)
		if found {
			i++
		}
		if i >= len(m) {
			return gosnmp.SnmpPDU{}, false
		}
		return m[i].pdu, true
	}
	endOf := func(name string) gosnmp.SnmpPDU { return gosnmp.SnmpPDU{Name: name, Type: gosnmp.EndOfMibView} }
	switch req.PDUType {
	case gosnmp.GetRequest:
		for i, v := range req.Variables {
			oid, okOID := parseOID(v.Name)
			j, found := at(oid)
			switch {
			case okOID && found:
				resp.Variables = append(resp.Variables, m[j].pdu)
			case v2:
				resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: v.Name, Type: gosnmp.NoSuchObject})
			default:
				resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(min(i+1, 255))
				resp.Variables = req.Variables
				return resp
			}
		}
	case gosnmp.GetNextRequest:
		for i, v := range req.Variables {
			oid, _ := parseOID(v.Name)
			p, found := next(oid)
			switch {
			case found:
				resp.Variables = append(resp.Variables, p)
			case v2:
				resp.Variables = append(resp.Variables, endOf(v.Name))
			default:
				resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(min(i+1, 255))
				resp.Variables = req.Variables
				return resp
			}
		}
	case gosnmp.GetBulkRequest:
		nonRep := min(int(req.NonRepeaters), len(req.Variables))
		for _, v := range req.Variables[:nonRep] {
			oid, _ := parseOID(v.Name)
			if p, found := next(oid); found {
				resp.Variables = append(resp.Variables, p)
			} else {
				resp.Variables = append(resp.Variables, endOf(v.Name))
			}
		}
		reps := req.Variables[nonRep:]
		cursors := make([][]int, len(reps))
		for i, v := range reps {
			cursors[i], _ = parseOID(v.Name)
		}
		for r := 0; r < int(req.MaxRepetitions) && len(resp.Variables)+len(reps) <= MaxBulk; r++ {
			for i := range reps {
				p, found := next(cursors[i])
				if !found {
					resp.Variables = append(resp.Variables, endOf(reps[i].Name))
					continue
				}
				resp.Variables = append(resp.Variables, p)
				cursors[i], _ = parseOID(p.Name)
			}
		}
	default: // SET and anything else: this agent is read-only
		resp.Error, resp.ErrorIndex = gosnmp.ReadOnly, 1
		if v2 {
			resp.Error = gosnmp.NotWritable
		}
		resp.Variables = req.Variables
	}
	return resp
}

// smartLicNotifications are the CISCO-SMART-LIC-MIB notifications a
// switch sends, under ciscoSlaMIBNotifs (1.3.6.1.4.1.9.9.831.1), by the
// syslog mnemonic of the event that raises each: enforcement mode (1),
// register failed (5) and success (6), ID certificate expired (7), renew
// success (8) and failure (9), authorization renew success (10) and
// failure (11), communication failure (12) and restored (13), evaluation
// expiry warning (18) and expired (19). Each carries ciscoSlaSUDIInfo.
// [model: which mnemonic raises which notification]
var smartLicNotifications = map[string]int{
	"OUT_OF_COMPLIANCE": 1, "IN_COMPLIANCE": 1, "AUTH_EXPIRED": 1,
	"AGENT_REG_FAILED": 5, "AGENT_REG_SUCCESS": 6, "ID_CERT_EXPIRED": 7,
	"ID_CERT_RENEW_SUCCESS": 8, "ID_CERT_RENEW_FAILED": 9,
	"AUTH_RENEW_SUCCESS": 10, "AUTH_RENEW_FAILED": 11,
	"COMM_FAILED": 12, "COMM_RESTORED": 13,
	"EVAL_WILL_EXPIRE_WARNING": 18, "EVAL_EXPIRED": 19,
}

// trapOut is one SNMPv2c notification for one host.
type trapOut struct {
	from, to, community string
	port                uint16
	oid, sudi           string
	uptime              uint32
}

// smartLicTraps are the notifications one log line raises on a switch
// with `snmp-server enable traps smart-license`, one per `snmp-server
// host` inside MonitorAllow (the others are counted as syslog's are).
// Called under the runner.
func (s *Server) smartLicTraps(d *device.Device, run device.Config, e sim.Event) []trapOut {
	n, ok := smartLicNotifications[e.Log.Mnemonic]
	if !ok || e.Log.Facility != "SMART_LIC" || !run.SNMP.TrapsSL {
		return nil
	}
	var out []trapOut
	for _, h := range run.SNMP.Hosts {
		if !s.realTarget(d, "", h.IP) {
			continue
		}
		port := uint16(162)
		switch {
		case h.Port != 0:
			port = uint16(h.Port)
		case s.cfg.TrapPort > 0:
			port = uint16(s.cfg.TrapPort)
		}
		out = append(out, trapOut{from: s.addr[e.Source], to: h.IP, port: port, community: h.Community,
			oid: "." + oidSmartLicNotifs + "." + strconv.Itoa(n), sudi: d.Agent().UDI().String(),
			uptime: uint32(max(0, e.Time.Sub(d.BootedAt())) / (10 * time.Millisecond))})
	}
	return out
}

const oidSmartLicNotifs = "1.3.6.1.4.1.9.9.831.1"

// trapDatagram is one SNMPv2-Trap, to be sent from the switch's address
// on the UDP socket its syslog datagrams leave from; id numbers the
// server's notifications.
func (s *Server) trapDatagram(tr trapOut, id uint32) (datagram, bool) {
	pkt := gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: tr.community, PDUType: gosnmp.SNMPv2Trap, RequestID: id,
		Variables: []gosnmp.SnmpPDU{
			{Name: ".1.3.6.1.2.1.1.3.0", Type: gosnmp.TimeTicks, Value: tr.uptime},
			{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: tr.oid},
			{Name: "." + oidSmartLic + ".2.0", Type: gosnmp.OctetString, Value: tr.sudi},
		}}
	b, err := pkt.MarshalMsg()
	if err != nil {
		s.syslog.failed.Add(1)
		return datagram{}, false
	}
	return datagram{from: tr.from, to: net.JoinHostPort(tr.to, strconv.Itoa(int(tr.port))), trap: true, msg: string(b)}, true
}
