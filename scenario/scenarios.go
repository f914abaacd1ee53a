package scenario

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/sim"
)

// Scenario is one failure of the field guide (docs/scenarios.md).
type Scenario struct {
	ID       string // "1" … "9", "1b" of the field guide; "tg" for its Transport Gateway
	Title    string
	Cause    string
	Symptoms string
	Fix      string
	setup    func(l *Lab) error
	cause    func(l *Lab) error
	fix      func(l *Lab) error
}

// Result is a scenario run: the lab at the end, the status at the
// symptoms, and the transcript.
type Result struct {
	Lab      *Lab
	Symptom  agent.Status
	Healthy  agent.Status
	Text     string
	Scenario Scenario
}

// Run builds the lab, applies the cause, records the symptoms, applies the
// fix and records the healthy state. The same seed gives the same text.
func (s Scenario) Run(seed uint64) (Result, error) {
	l, err := NewLab(seed)
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(&l.out, "# Scenario %s: %s\n", s.ID, s.Title)
	if s.setup != nil {
		if err := s.setup(l); err != nil {
			return Result{}, fmt.Errorf("scenario %s setup: %w", s.ID, err)
		}
	}
	l.Section("setup")
	if err := s.cause(l); err != nil {
		return Result{}, fmt.Errorf("scenario %s cause: %w", s.ID, err)
	}
	l.Section("cause: " + s.Cause)
	l.Show()
	r := Result{Lab: l, Symptom: l.Status(), Scenario: s}
	if err := s.fix(l); err != nil {
		return Result{}, fmt.Errorf("scenario %s fix: %w", s.ID, err)
	}
	l.Section("fix: " + s.Fix)
	l.Show()
	r.Healthy, r.Text = l.Status(), l.Transcript()
	return r, nil
}

// Break builds the lab and applies the cause, and stops there: the lab a
// trainee diagnoses and fixes.
func (s Scenario) Break(seed uint64) (*Lab, error) {
	l, err := NewLab(seed)
	if err != nil {
		return nil, err
	}
	if s.setup != nil {
		if err := s.setup(l); err != nil {
			return nil, fmt.Errorf("scenario %s setup: %w", s.ID, err)
		}
	}
	if err := s.cause(l); err != nil {
		return nil, fmt.Errorf("scenario %s cause: %w", s.ID, err)
	}
	return l, nil
}

// All lists the scenarios, in the guide's order.
func All() []Scenario { return scenarios }

// Find returns a scenario by ID.
func Find(id string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

func run(l *Lab, d time.Duration) error { return l.World.RunFor(d) }

// runToNextComm runs to just after the switch's next communication attempt.
func runToNextComm(l *Lab) error {
	return l.World.RunUntil(l.Status().NextCommunicationAttempt.Add(2 * time.Second))
}

func healthy(l *Lab) error { return l.RegisterHealthy() }

// registerAndRun registers the lab's switch with a token and runs the world for d.
func registerAndRun(l *Lab, token string, force bool, d time.Duration) error {
	if _, err := l.World.Register(l.Device, token, force); err != nil {
		return err
	}
	return run(l, d)
}

var scenarios = []Scenario{
	{
		ID: "1", Title: `"Failure reason: Product Already Registered"`,
		Cause:    "registered without write memory, then reloaded: the key pair and the registration are lost while CSSM keeps the instance; a plain register follows",
		Symptoms: "UNREGISTERED - REGISTRATION FAILED, Initial Registration: FAILED, Failure reason: Product Already Registered, a Next Registration Attempt; AGENT_REG_FAILED",
		Fix:      "license smart register idtoken <TOKEN> force, then write memory",
		setup: func(l *Lab) error {
			return registerAndRun(l, l.Token, false, time.Minute)
		},
		cause: func(l *Lab) error {
			if err := run(l, time.Hour); err != nil {
				return err
			}
			if err := l.World.Reload(l.Device); err != nil {
				return err
			}
			if err := run(l, 5*time.Minute); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, 10*time.Second)
		},
		fix: func(l *Lab) error {
			if _, err := l.World.Register(l.Device, l.Token, true); err != nil {
				return err
			}
			if err := run(l, time.Minute); err != nil {
				return err
			}
			return l.World.WriteMemory(l.Device)
		},
	},
	{
		ID: "1b", Title: `"Product Already Registered" after a deregistration CSSM never heard`,
		Cause:    "license smart deregister while tools.cisco.com is unreachable: the switch cleans up, CSSM keeps a stale instance; a plain register follows",
		Symptoms: "UNREGISTERED - REGISTRATION FAILED, Failure reason: Product Already Registered",
		Fix:      "license smart register idtoken <TOKEN> force",
		setup:    healthy,
		cause: func(l *Lab) error {
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}); err != nil {
				return err
			}
			if err := l.World.Deregister(l.Device); err != nil {
				return err
			}
			if err := run(l, time.Hour); err != nil {
				return err
			}
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP}); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, 10*time.Second)
		},
		fix: func(l *Lab) error {
			return registerAndRun(l, l.Token, true, time.Minute)
		},
	},
	{
		ID: "2", Title: `"Failure reason: Your request could not be processed right now. Please try again"`,
		Cause:    "CSSM cannot process requests for a few minutes while the switch registers",
		Symptoms: "REGISTERING - REGISTRATION IN PROGRESS, Initial Registration: FAILED, the failure reason, Next Registration Attempt about 15–20 minutes later; AGENT_REG_FAILED",
		Fix:      "wait: CSSM recovers and the next registration attempt succeeds (or register again with a new token)",
		cause: func(l *Lab) error {
			// CSSM is busy for a few minutes ([model]: 5), then recovers by
			// itself — in the lab too, where only the cause is applied.
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultCSSMBusy, Target: "cssm", On: true}); err != nil {
				return err
			}
			if err := l.World.ScheduleFault(sim.Fault{At: l.World.Now().Add(5 * time.Minute), Kind: sim.FaultCSSMBusy, Target: "cssm"}); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, 10*time.Second)
		},
		fix: func(l *Lab) error {
			return l.World.RunUntil(l.Status().NextRegistrationAttempt.Add(time.Minute))
		},
	},
	{
		ID: "3", Title: `"Failure reason: The device date … is offset beyond the allowed tolerance limit"`,
		Cause:    "the switch's clock was set to May 2018 (clock set) and is not synchronised",
		Symptoms: `REGISTERING - REGISTRATION IN PROGRESS, Failure reason: {"timestamp": ["The device date '<epoch ms>' is offset beyond the allowed tolerance limit."]}, a next attempt; PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID`,
		Fix:      "ntp server 198.51.100.123 (or clock set + clock calendar-valid); the next attempt succeeds",
		cause: func(l *Lab) error {
			if err := l.World.SetClock(l.Device, time.Date(2018, 5, 12, 14, 27, 48, 0, time.UTC)); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, 10*time.Second)
		},
		fix: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "ntp server "+netsim.NTPIP, func(c *device.Config) error {
				c.NTPServers = append(c.NTPServers, netsim.NTPIP)
				return nil
			}); err != nil {
				return err
			}
			return l.World.RunUntil(l.Status().NextRegistrationAttempt.Add(time.Minute))
		},
	},
	{
		ID: "4", Title: `"Failure reason: Communication transport not available."`,
		Cause:    "a user call-home profile (MyProfile) is active without reporting smart-licensing-data, CiscoTAC-1 is not active",
		Symptoms: "UNREGISTERED - REGISTRATION FAILED, Failure reason: Communication transport not available., no next attempt; CALL_HOME_FAILED_TO_ENABLE, AGENT_REG_FAILED, COMM_FAILED",
		Fix:      "call-home / profile MyProfile / reporting smart-licensing-data, then register again",
		cause: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "call-home / profile MyProfile (active) / profile CiscoTAC-1 / no active", func(c *device.Config) error {
				c.Profile("CiscoTAC-1").Active = false
				c.Profiles = append(c.Profiles, device.CallHomeProfile{Name: "MyProfile", Active: true, Destination: netsim.CSSMURL, TransportHTTP: true})
				return nil
			}); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, 10*time.Second)
		},
		fix: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "call-home / profile MyProfile / reporting smart-licensing-data", func(c *device.Config) error {
				c.Profile("MyProfile").ReportsSmartLicensing = true
				return nil
			}); err != nil {
				return err
			}
			return registerAndRun(l, l.Token, false, time.Minute)
		},
	},
	{
		ID: "5", Title: `"Failure reason: Fail to send out Call Home HTTP message."`,
		Cause:    "the route to tools.cisco.com from the global table goes away: only Mgmt-vrf reaches it, and the HTTP client has no source interface",
		Symptoms: "the authorization status is kept; Last Communication Attempt: FAILED, Failure reason: Fail to send out Call Home HTTP message., Next Communication Attempt 30 s later, the deadline unchanged; SL_MESSAGE_FAILED, COMM_FAILED, AUTH_RENEW_FAILED",
		Fix:      "ip http client source-interface GigabitEthernet0/0 (the Mgmt-vrf interface); the next retry succeeds",
		setup: func(l *Lab) error {
			n := l.World.Network()
			n.VRFs["Mgmt-vrf"] = []string{netsim.CSSMIP, netsim.CRLIP, netsim.DNSIP}
			return healthy(l)
		},
		cause: func(l *Lab) error {
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultVRFRoute, Target: "global", Value: netsim.CSSMIP}); err != nil {
				return err
			}
			return runToNextComm(l)
		},
		fix: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "ip http client source-interface GigabitEthernet0/0", func(c *device.Config) error {
				c.SourceInterface = "GigabitEthernet0/0"
				return nil
			}); err != nil {
				return err
			}
			return run(l, 5*time.Minute)
		},
	},
	{
		ID: "6", Title: `SAEVT_DEREGISTER_STATUS "Missing Id cert serial number field; …" (satellite)`,
		Cause:    "the switch is registered to an on-prem satellite whose server certificate expires",
		Symptoms: "UNREGISTERED with the smart account still shown, EVAL MODE with the evaluation time left; event log SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\"",
		Fix:      "renew the satellite's certificate, then register again with force",
		setup: func(l *Lab) error {
			sat, err := l.World.AddSatellite(cssm.SatelliteConfig{Name: "onprem-1", Hostname: "ssm-onprem.acme.com", SA: Account, VAs: []string{VA},
				Mode: cssm.SyncNetwork, CertValidity: 45 * cssm.Day, Seed: 5}, satelliteIP)
			if err != nil {
				return err
			}
			tok, err := sat.CreateToken(l.World.Now(), VA, cssm.TokenOptions{Description: "satellite", ExpiresAfterDays: 365})
			if err != nil {
				return err
			}
			l.Token = tok.Value
			if err := l.World.Configure(l.Device, "ip host ssm-onprem.acme.com "+satelliteIP+" / call-home profile CiscoTAC-1 destination the satellite", func(c *device.Config) error {
				c.Hosts = map[string]string{"ssm-onprem.acme.com": satelliteIP}
				c.Profile("CiscoTAC-1").Destination = "https://ssm-onprem.acme.com" + netsim.SatellitePath
				return nil
			}); err != nil {
				return err
			}
			return healthy(l)
		},
		cause: func(l *Lab) error {
			return l.World.RunUntil(Start.Add(61 * cssm.Day))
		},
		fix: func(l *Lab) error {
			sat, _ := l.World.Satellite("onprem-1")
			if err := sat.RenewCertificate(l.World.Now(), 2*365*cssm.Day); err != nil {
				return err
			}
			if ep, ok := l.World.Network().Endpoint(satelliteIP); ok {
				ep.Cert.NotAfter = sat.CertificateExpires()
			}
			return registerAndRun(l, l.Token, true, time.Minute)
		},
	},
	{
		ID: "7", Title: `"Failure reason: Waiting for reply"`,
		Cause:    "the CRL distribution point of SLA-TrustPoint cannot be reached when the renewal is due",
		Symptoms: "Last Communication Attempt: PENDING, Failure reason: Waiting for reply, the next attempt about 15–20 minutes later; PKI-3-CRL_FETCH_FAIL",
		Fix:      "crypto pki trustpoint SLA-TrustPoint / revocation-check none; the next attempt succeeds",
		setup:    healthy,
		cause: func(l *Lab) error {
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: netsim.CRLIP, On: true}); err != nil {
				return err
			}
			return runToNextComm(l)
		},
		fix: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "crypto pki trustpoint SLA-TrustPoint / revocation-check none", func(c *device.Config) error {
				c.Trustpoint(device.SLATrustPoint).RevocationCheck = "none"
				return nil
			}); err != nil {
				return err
			}
			return l.World.RunUntil(l.Status().NextCommunicationAttempt.Add(time.Minute))
		},
	},
	{
		ID: "8", Title: `licenses "OUT OF COMPLIANCE"`,
		Cause:    "the switch registered with a token of the DEFAULT virtual account, which holds no licenses",
		Symptoms: "REGISTERED, OUT OF COMPLIANCE on <date>, next attempt 12 hours later; OUT_OF_COMPLIANCE; CSSM: Insufficient Licenses",
		Fix:      "transfer licenses from Campus into DEFAULT in CSSM; the 12-hour retry is AUTHORIZED",
		cause: func(l *Lab) error {
			tok, err := l.World.CSSM().CreateToken(l.World.Now(), Account, cssm.DefaultVAName, cssm.TokenOptions{ExpiresAfterDays: 30})
			if err != nil {
				return err
			}
			return registerAndRun(l, tok.Value, false, time.Minute)
		},
		fix: func(l *Lab) error {
			for _, tag := range []string{"C9300-24 Network Advantage", "C9300-24 DNA Advantage"} {
				err := l.World.ActOnCSSM(fmt.Sprintf("transfer 2 %s from %s to %s", tag, VA, cssm.DefaultVAName), func(c *cssm.CSSM, now time.Time) error {
					return c.TransferLicenses(now, Account, VA, cssm.DefaultVAName, tag, 2)
				})
				if err != nil {
					return err
				}
			}
			return l.World.RunUntil(l.Status().NextCommunicationAttempt.Add(time.Minute))
		},
	},
	{
		ID: "9", Title: `"Failure reason: Data and signature do not match"`,
		Cause:    "the SLA-KeyPair was regenerated on a registered switch: its identity and CSSM's are out of step",
		Symptoms: "AUTHORIZED kept, Last Communication Attempt: FAILED, Failure reason: Data and signature do not match, next 30 s later; AUTH_RENEW_FAILED … Error received from Smart Software Manager: Data and signature do not match",
		Fix:      "license smart deregister, then license smart register idtoken <NEW TOKEN> force",
		setup:    healthy,
		cause: func(l *Lab) error {
			if err := run(l, 3*cssm.Day); err != nil {
				return err
			}
			if err := l.World.RegenerateKey(l.Device); err != nil {
				return err
			}
			if err := l.World.RenewAuth(l.Device); err != nil {
				return err
			}
			return run(l, 5*time.Second)
		},
		fix: func(l *Lab) error {
			if err := l.World.Deregister(l.Device); err != nil {
				return err
			}
			if err := run(l, 10*time.Second); err != nil {
				return err
			}
			tok, err := l.World.CSSM().CreateToken(l.World.Now(), Account, VA, cssm.TokenOptions{Description: "new", ExpiresAfterDays: 30, ExportControlled: true})
			if err != nil {
				return err
			}
			if _, err := l.World.Register(l.Device, tok.Value, true); err != nil {
				return err
			}
			if err := run(l, time.Minute); err != nil {
				return err
			}
			return l.World.WriteMemory(l.Device)
		},
	},
	{
		ID: "tg", Title: `Transport Gateway: "Fail to send out Call Home HTTP message." after its certificate is renewed`,
		Cause:    "the switch reaches CSSM through the enterprise's Transport Gateway, trusted through a trustpoint holding the gateway's CA; the gateway's certificate is renewed under a new enterprise CA the switch does not hold",
		Symptoms: "the authorization status is kept; Last Communication Attempt: FAILED, Failure reason: Fail to send out Call Home HTTP message.; PKI-3-CERTIFICATE_INVALID_UNAUTHORIZED naming the new CA, SL_MESSAGE_FAILED to the gateway's URL, COMM_FAILED, AUTH_RENEW_FAILED",
		Fix:      "a trustpoint for the new CA (crypto pki trustpoint, enrollment terminal, crypto pki authenticate with its certificate), then write memory; the next retry succeeds",
		setup: func(l *Lab) error {
			if err := l.World.AddTransportGateway(tgHost, tgIP, tgCA); err != nil {
				return err
			}
			l.World.Network().Records[tgHost] = tgIP
			if err := l.World.Configure(l.Device, "crypto pki trustpoint TG-CA (authenticated with "+tgCA+") / call-home profile CiscoTAC-1 destination the Transport Gateway", func(c *device.Config) error {
				c.Trustpoints = append(c.Trustpoints, device.Trustpoint{Name: "TG-CA", RevocationCheck: "none", CA: tgCA})
				c.Profile("CiscoTAC-1").Destination = "https://" + tgHost + netsim.SatellitePath
				return nil
			}); err != nil {
				return err
			}
			return healthy(l)
		},
		cause: func(l *Lab) error {
			if err := run(l, 10*cssm.Day); err != nil {
				return err
			}
			if err := l.World.SetFault(sim.Fault{Kind: sim.FaultCertReissued, Target: tgIP, Value: tgNewCA, On: true}); err != nil {
				return err
			}
			return runToNextComm(l)
		},
		fix: func(l *Lab) error {
			if err := l.World.Configure(l.Device, "crypto pki trustpoint TG-CA-G2 / crypto pki authenticate TG-CA-G2 ("+tgNewCA+")", func(c *device.Config) error {
				c.Trustpoints = append(c.Trustpoints, device.Trustpoint{Name: "TG-CA-G2", RevocationCheck: "none", CA: tgNewCA})
				return nil
			}); err != nil {
				return err
			}
			if err := l.World.WriteMemory(l.Device); err != nil {
				return err
			}
			return run(l, 5*time.Minute)
		},
	},
}

const satelliteIP = "192.0.2.50"

// The Transport Gateway of scenario "tg": its name, address and the
// enterprise CAs of its certificate before and after the renewal.
const (
	tgHost  = "tg1.acme.com"
	tgIP    = "192.0.2.100"
	tgCA    = "tg1 CA"
	tgNewCA = "ACME Issuing CA G2"
)
