// Package review holds the scoring rubric, score validation, the aggregation
// of reviews into a note's score, the class suggestion and the automatic
// assignment of reviewers. It is pure domain code: no HTTP, no database.
package review

import (
	"fmt"
	"math"
	"strings"

	"cocreate/internal/enum"
)

// MaxScore is the highest level of every criterion; levels run 0..MaxScore.
const MaxScore = 4

// Criterion is one rubric criterion with its weight (weights of a call sum to 100).
type Criterion struct {
	Key    string `json:"key" bson:"key"`
	Label  string `json:"label" bson:"label"`
	Weight int    `json:"weight" bson:"weight"`
}

// defaultWeights are domain.md's proposed weights; a call may change them.
var defaultWeights = map[string]int{
	"problem":       15,
	"relevance":     20,
	"ambition":      25,
	"verifiability": 20,
	"feasibility":   20,
}

// DefaultCriteria returns a fresh copy of the default rubric in enum.Criteria order.
func DefaultCriteria() []Criterion {
	out := make([]Criterion, 0, len(enum.Criteria))
	for _, o := range enum.Criteria {
		out = append(out, Criterion{Key: o.Value, Label: o.Label, Weight: defaultWeights[o.Value]})
	}
	return out
}

var anchors = map[string][5]string{
	"problem": {
		"none",
		"vague",
		"clear, no evidence",
		"clear, some data",
		"clear, with baseline and affected groups",
	},
	"relevance": {
		"none",
		"indirect",
		"one value, weak mechanism",
		"one value, clear mechanism",
		"several values; the public can act on it",
	},
	"ambition": {
		"status quo",
		"minor or one-off",
		"modest standalone (portal, training, pilot)",
		"major step, limited scope",
		"binding, institutionalised change",
	},
	"verifiability": {
		"none",
		"vague activities",
		"some dated deliverables",
		"all deliverables dated",
		"dated, with indicators and owners",
	},
	"feasibility": {
		"no plausible owner",
		"owner unlikely",
		"plausible owner, resources unclear",
		"plausible owner, partial resources",
		"agency interest shown, resources identified",
	},
}

// Anchors returns the anchored texts of levels 0..4 of a criterion, or five empty strings for an unknown key.
func Anchors(key string) [5]string {
	return anchors[key]
}

// criteriaField is the field name under which list-wide weight errors are reported.
const criteriaField = "criteria"

// ValidateWeights checks a call's rubric and returns field errors keyed by
// criterion key (or "criteria" for the list as a whole), nil when valid.
func ValidateWeights(c []Criterion) map[string]string {
	errs := map[string]string{}
	seen := map[string]bool{}
	sum := 0
	for _, cr := range c {
		sum += cr.Weight
		switch {
		case cr.Key == "":
			errs[criteriaField] = "Every criterion needs a key"
			continue
		case !enum.Criteria.Has(cr.Key):
			errs[cr.Key] = fmt.Sprintf("Unknown criterion %q", cr.Key)
			continue
		case seen[cr.Key]:
			errs[cr.Key] = fmt.Sprintf("%s is listed more than once", enum.Criteria.Label(cr.Key))
			continue
		}
		seen[cr.Key] = true
		if cr.Weight < 0 || cr.Weight > 100 {
			errs[cr.Key] = fmt.Sprintf("Weight for %s must be a whole number from 0 to 100", enum.Criteria.Label(cr.Key))
		}
	}
	for _, o := range enum.Criteria {
		if !seen[o.Value] {
			if _, taken := errs[o.Value]; !taken {
				errs[o.Value] = fmt.Sprintf("%s is missing: every criterion needs a weight", o.Label)
			}
		}
	}
	// The sum is reported even beside other errors: it is what people fix last.
	if sum != 100 {
		errs[criteriaField] = fmt.Sprintf("Weights must add up to 100: they add up to %d", sum)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ValidateScores checks a review's scores against the call's rubric and
// returns field errors keyed by criterion key, nil when valid; complete
// demands a score for every criterion, as submitting a review does.
func ValidateScores(scores map[string]int, c []Criterion, complete bool) map[string]string {
	errs := map[string]string{}
	known := make(map[string]bool, len(c))
	for _, cr := range c {
		known[cr.Key] = true
	}
	for k, v := range scores {
		switch {
		case !known[k]:
			errs[k] = fmt.Sprintf("Unknown criterion %q", k)
		case v < 0 || v > MaxScore:
			errs[k] = fmt.Sprintf("Score %s from 0 to %d", k, MaxScore)
		}
	}
	if complete {
		for _, cr := range c {
			if _, ok := scores[cr.Key]; !ok {
				errs[cr.Key] = fmt.Sprintf("Score %s from 0 to %d before submitting", cr.Key, MaxScore)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Total returns a review's weighted total on 0–100: Σ weight × score / 4;
// a missing score counts as 0 and keys outside the rubric are ignored.
func Total(scores map[string]int, c []Criterion) float64 {
	// Sum in integers first so equal score sheets give bit-identical totals.
	sum := 0
	for _, cr := range c {
		sum += cr.Weight * scores[cr.Key]
	}
	return float64(sum) / MaxScore
}

// Round1 rounds x to one decimal, half away from zero, for display only.
func Round1(x float64) float64 {
	return math.Round(x*10) / 10
}

// CriteriaLabels names criteria keys (a note's disagreement flags, say)
// with the labels criteria give them, the default labels otherwise,
// joined by commas.
func CriteriaLabels(keys []string, criteria []Criterion) string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		l := enum.Criteria.Label(k)
		for _, cr := range criteria {
			if cr.Key == k && cr.Label != "" {
				l = cr.Label
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, ", ")
}
