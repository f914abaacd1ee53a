package license

// CatalogEntry is what a back end needs to know of an entitlement tag: the
// names it answers with and the more general tag that can fulfil it.
type CatalogEntry struct {
	Tag         string // short tag, as requested
	Name        string // CSSM's license name
	Description string // shown by `show license all`
	Parent      string // tag of the more general entitlement, or ""
	Term        bool   // a subscription (term) license rather than perpetual
}

// Catalog resolves entitlement tags. stackwise.Catalog() is the Catalyst
// catalogue; a back end without one answers with the tag as the name.
type Catalog interface {
	Lookup(tag string) (CatalogEntry, bool)
}
