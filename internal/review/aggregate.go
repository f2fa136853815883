package review

import (
	"math"
	"slices"

	"cocreate/internal/enum"
)

// Input is one submitted review as aggregation needs it.
type Input struct {
	NoteID         string
	ReviewerID     string
	ReviewerSector string
	Scores         map[string]int
}

// Score is a note's aggregate (api.md `score`).
type Score struct {
	Reviews           int                `json:"reviews" bson:"reviews"`
	Mean              float64            `json:"mean" bson:"mean"`
	Median            float64            `json:"median" bson:"median"`
	NormalisedMean    *float64           `json:"normalised_mean,omitempty" bson:"normalised_mean,omitempty"`
	GovernmentMean    *float64           `json:"government_mean,omitempty" bson:"government_mean,omitempty"`
	NonGovernmentMean *float64           `json:"non_government_mean,omitempty" bson:"non_government_mean,omitempty"`
	PerCriterion      map[string]float64 `json:"per_criterion" bson:"per_criterion"`
	Flags             []string           `json:"flags" bson:"flags"`                                         // criteria keys whose scores span >= 2, in criteria order, never nil
	SuggestedClass    string             `json:"suggested_class,omitempty" bson:"suggested_class,omitempty"` // "" before min reviews
}

// DisagreementSpan is the spread of one criterion's scores on a note from which the committee discusses it.
const DisagreementSpan = 2

// Aggregate sums up the submitted reviews of one note; it does not look at
// NoteID and leaves NormalisedMean nil, since that needs the whole call (see
// AggregateCall). A missing score counts as 0, as in Total.
func Aggregate(reviews []Input, c []Criterion, minReviews int) Score {
	s := Score{
		Reviews:      len(reviews),
		PerCriterion: map[string]float64{},
		Flags:        []string{},
	}
	if len(reviews) == 0 {
		return s
	}
	totals := make([]float64, len(reviews))
	var gov, nonGov []float64
	for i, r := range reviews {
		totals[i] = Total(r.Scores, c)
		if enum.IsGovernment(r.ReviewerSector) {
			gov = append(gov, totals[i])
		} else {
			nonGov = append(nonGov, totals[i])
		}
	}
	s.Mean = mean(totals)
	s.Median = median(totals)
	if len(gov) > 0 {
		m := mean(gov)
		s.GovernmentMean = &m
	}
	if len(nonGov) > 0 {
		m := mean(nonGov)
		s.NonGovernmentMean = &m
	}
	for _, cr := range c {
		sum := 0
		lo, hi := reviews[0].Scores[cr.Key], reviews[0].Scores[cr.Key]
		for _, r := range reviews {
			v := r.Scores[cr.Key]
			sum += v
			lo, hi = min(lo, v), max(hi, v)
		}
		s.PerCriterion[cr.Key] = float64(sum) / float64(len(reviews))
		if hi-lo >= DisagreementSpan {
			s.Flags = append(s.Flags, cr.Key)
		}
	}
	s.SuggestedClass = SuggestClass(s.Mean, s.PerCriterion, s.Reviews, minReviews)
	return s
}

// Normalise returns each note's reviewer-normalised mean over every
// submitted review of a call, as domain.md defines it: a reviewer's totals
// become z-scores against their own mean and population deviation (z = 0
// when that deviation is 0) and are mapped back onto the call's scale.
func Normalise(all []Input, c []Criterion) map[string]float64 {
	out := map[string]float64{}
	if len(all) == 0 {
		return out
	}
	totals := make([]float64, len(all))
	byReviewer := map[string][]float64{}
	for i, r := range all {
		totals[i] = Total(r.Scores, c)
		byReviewer[r.ReviewerID] = append(byReviewer[r.ReviewerID], totals[i])
	}
	mu, sigma := mean(totals), stddev(totals)
	type stat struct{ mu, sigma float64 }
	stats := make(map[string]stat, len(byReviewer))
	for id, ts := range byReviewer {
		stats[id] = stat{mean(ts), stddev(ts)}
	}
	sums := map[string]float64{}
	counts := map[string]int{}
	for i, r := range all {
		st := stats[r.ReviewerID]
		z := 0.0
		// Totals are multiples of 0.25 well inside float precision, so an
		// all-equal reviewer gives an exact 0; the tolerance only guards
		// against dividing rounding noise by rounding noise.
		if st.sigma > 1e-9 {
			z = (totals[i] - st.mu) / st.sigma
		}
		sums[r.NoteID] += mu + z*sigma
		counts[r.NoteID]++
	}
	for id, sum := range sums {
		out[id] = sum / float64(counts[id])
	}
	return out
}

// AggregateCall aggregates every note of a call from all its submitted
// reviews, with NormalisedMean filled in; notes without reviews are absent.
func AggregateCall(all []Input, c []Criterion, minReviews int) map[string]Score {
	byNote := map[string][]Input{}
	for _, r := range all {
		byNote[r.NoteID] = append(byNote[r.NoteID], r)
	}
	norm := Normalise(all, c)
	out := make(map[string]Score, len(byNote))
	for id, rs := range byNote {
		s := Aggregate(rs, c, minReviews)
		n := norm[id]
		s.NormalisedMean = &n
		out[id] = s
	}
	return out
}

// Class thresholds of domain.md (Classes); a mean exactly on a threshold
// reaches the higher class.
const (
	// ClassAMean is the lowest mean for a suggested A.
	ClassAMean = 70.0
	// ClassBMean is the lowest mean for a suggested B.
	ClassBMean = 50.0
	// ClassACriterionMin is the lowest mean of ambition, relevance and verifiability for a suggested A.
	ClassACriterionMin = 2.0
)

// classACriteria must each reach a mean of ClassACriterionMin for a suggested A.
var classACriteria = []string{"ambition", "relevance", "verifiability"}

// SuggestClass suggests A, B or D from a note's mean and per-criterion
// means, or "" while fewer than minReviews (or no) reviews are in; C is
// the chair's judgement and never suggested.
func SuggestClass(mean float64, perCriterion map[string]float64, reviews, minReviews int) string {
	if reviews < minReviews || reviews <= 0 {
		return ""
	}
	switch {
	case mean >= ClassAMean:
		for _, k := range classACriteria {
			// A criterion missing from the rubric cannot vouch for the note.
			if perCriterion[k] < ClassACriterionMin {
				return "B"
			}
		}
		return "A"
	case mean >= ClassBMean:
		return "B"
	default:
		return "D"
	}
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// stddev is the population standard deviation, as domain.md asks.
func stddev(xs []float64) float64 {
	m := mean(xs)
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
