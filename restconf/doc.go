// Package restconf is the RESTCONF face of a simulated switch (RFC 8040 over
// HTTPS, JSON per RFC 7951): the `cisco-smart-license` YANG tree rendered
// from the same agent status as `show license status`, its RPCs
// (register-id-token, de-register, renew-id, renew-auth) posted either way
// clients post them, `native/version`, host-meta discovery and RFC 8040
// error bodies. It is an http.Handler over one device; package serve puts
// it on the network.
package restconf
