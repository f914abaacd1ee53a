package portal

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// PageSizes are the page sizes a table offers; DefaultPageSize is the
// first page's. [model: CSSM's tables page their rows; the sizes are
// slsim's]
var PageSizes = []int{10, 25, 50, 100}

// DefaultPageSize is a table's page size when the request names none.
const DefaultPageSize = 25

// maxQuery bounds a search's text.
const maxQuery = 100

// pager is one table's search and page, as the page shows them.
type pager struct {
	Q                 string // the search, as typed
	Page, Pages, Size int    // 1-based page; how many pages; rows a page
	Total, Found      int    // rows in all; rows the search matched
	First, Last       int    // 1-based rows shown (0, 0 for none)
	Sizes             []int
	base              url.Values
	Path              string // the page's own path
	PrevURL, NextURL  string
	FirstURL, LastURL string
	SizeURL           map[int]string
	Hidden            [][2]string // the other parameters, for the search form
}

// paginate keeps the rows that match the request's search ("q", every
// word in a row's text, case-insensitively) and the request's page
// ("page", "size") of them; text is a row's searchable text, keep the
// parameters its links and search form carry (the virtual account, the
// tab).
func paginate[T any](r *http.Request, path string, keep url.Values, rows []T, text func(T) string) ([]T, *pager) {
	q := strings.TrimSpace(r.FormValue("q"))
	if len(q) > maxQuery {
		q = q[:maxQuery]
	}
	size, _ := strconv.Atoi(r.FormValue("size"))
	if !slices.Contains(PageSizes, size) {
		size = DefaultPageSize
	}
	p := &pager{Q: q, Size: size, Total: len(rows), Sizes: PageSizes, Path: path, base: url.Values{}, SizeURL: map[int]string{}}
	if sa := r.FormValue("sa"); sa != "" {
		keep.Set("sa", sa)
	}
	for _, k := range slices.Sorted(maps.Keys(keep)) {
		if v := keep.Get(k); v != "" {
			p.base.Set(k, v)
			p.Hidden = append(p.Hidden, [2]string{k, v})
		}
	}
	if words := strings.Fields(strings.ToLower(q)); len(words) > 0 {
		rows = slices.DeleteFunc(slices.Clone(rows), func(row T) bool {
			t := strings.ToLower(text(row))
			for _, w := range words {
				if !strings.Contains(t, w) {
					return true
				}
			}
			return false
		})
	}
	p.Found = len(rows)
	p.Pages = max(1, (len(rows)+size-1)/size)
	p.Page, _ = strconv.Atoi(r.FormValue("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	from := (p.Page - 1) * size
	to := min(from+size, len(rows))
	if from < to {
		p.First, p.Last = from+1, to
	}
	link := func(page, size int) string {
		v := url.Values{}
		for k, vs := range p.base {
			v[k] = vs
		}
		if q != "" {
			v.Set("q", q)
		}
		if size != DefaultPageSize {
			v.Set("size", strconv.Itoa(size))
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return path + "?" + v.Encode()
	}
	p.FirstURL, p.LastURL = link(1, size), link(p.Pages, size)
	if p.Page > 1 {
		p.PrevURL = link(p.Page-1, size)
	}
	if p.Page < p.Pages {
		p.NextURL = link(p.Page+1, size)
	}
	for _, s := range PageSizes {
		p.SizeURL[s] = link(1, s)
	}
	return rows[from:to], p
}
