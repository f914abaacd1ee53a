// Package stackwise answers "which entitlements, and how many, does this
// Catalyst switch consume?" for a 9300 stack, a 9400 chassis (or a
// StackWise Virtual pair of them) and a 9500 standalone or StackWise Virtual
// pair, and for whole estates "how many do we need, and what is short?".
//
// It holds the catalogue of platforms, models and entitlements (display
// name, short tag, full ISO 19770 tag, CSSM license name, feature name,
// perpetual or term, parent in the license hierarchy), validates
// topologies, parses license levels and IOS-XE versions, counts per the
// rules of docs/counting.md (including the C9500 high-performance tag change at
// 16.12.3), checks demand against a pool with the hierarchy, and reads and
// writes a line-oriented text format for estates and pools.
//
// The package is pure: no time, no I/O beyond the readers it is given.
package stackwise
