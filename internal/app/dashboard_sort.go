package app

import (
	"cmp"
	"slices"
	"strings"

	"cocreate/internal/enum"
)

// sortedBy returns the rows in the order of key, memoised per entry.
func (e *dashEntry) sortedBy(key string, desc bool) []*DashboardRow {
	k := key + "/asc"
	if desc {
		k = key + "/desc"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.sorted[k]; ok {
		return s
	}
	s := slices.Clone(e.rows)
	sortRows(s, key, desc)
	e.sorted[k] = s
	return s
}

func byRef(x, y *DashboardRow) int { return cmp.Or(cmp.Compare(x.Ref, y.Ref), cmp.Compare(x.ID, y.ID)) }

// sortRows orders rows by key; notes without a figure go last either way, ties by reference.
func sortRows(rows []*DashboardRow, key string, desc bool) {
	slices.SortStableFunc(rows, func(x, y *DashboardRow) int {
		xv, xok := sortValue(x, key)
		yv, yok := sortValue(y, key)
		if xok != yok {
			if xok {
				return -1
			}
			return 1
		}
		c := cmpAny(xv, yv)
		if desc {
			c = -c
		}
		return cmp.Or(c, byRef(x, y))
	})
}

func cmpAny(x, y any) int {
	switch xv := x.(type) {
	case float64:
		return cmp.Compare(xv, y.(float64))
	case string:
		return cmp.Compare(strings.ToLower(xv), strings.ToLower(y.(string)))
	}
	return 0
}

// sortValue is what key sorts r by, and false when r has none.
func sortValue(r *DashboardRow, key string) (any, bool) {
	s := r.Score
	switch key {
	case "ref":
		return r.Ref, true
	case "title":
		return r.Title, true
	case "area":
		return enum.PolicyAreas.Label(r.PolicyArea), true
	case "state":
		return float64(stateOrder(r.State)), true
	case "reviews":
		return float64(r.Done), true
	}
	if s == nil || s.Reviews == 0 {
		return nil, false
	}
	switch key {
	case "mean":
		return s.Mean, true
	case "median":
		return s.Median, true
	case "normalised":
		if s.NormalisedMean == nil {
			return nil, false
		}
		return *s.NormalisedMean, true
	case "flags":
		return float64(len(s.Flags)), true
	case "class":
		return s.SuggestedClass, s.SuggestedClass != ""
	}
	return r.Ref, true
}

func stateOrder(s string) int {
	for i, o := range enum.States {
		if o.Value == s {
			return i
		}
	}
	return len(enum.States)
}
