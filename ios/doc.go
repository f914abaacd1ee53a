// Package ios is the IOS face of the simulator: renderers for the `show
// license` commands and syslog lines, character for character as the real
// captures print them.
package ios
