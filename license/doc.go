// Package license is the vocabulary shared by the Smart Agent, the CSSM and
// everything that carries messages between them: the unique device
// identifier (UDI), the usage a device requests, the four requests an agent
// sends (register, authorize, renew ID certificate, deregister) and the
// answers it can receive, including delivery failures.
//
// The package is pure data: it reads no clock and keeps no state.
package license
