package review

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) < eps }

func ptr(x float64) *float64 { return &x }

func nearPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return near(*a, *b)
}

func fmtPtr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func in(note, reviewer, sector string, scores map[string]int) Input {
	return Input{NoteID: note, ReviewerID: reviewer, ReviewerSector: sector, Scores: scores}
}

func TestAggregate(t *testing.T) {
	def := DefaultCriteria()
	tests := []struct {
		name       string
		reviews    []Input
		minReviews int
		want       Score
	}{
		{
			name: "no reviews",
			want: Score{PerCriterion: map[string]float64{}, Flags: []string{}},
		},
		{
			name:       "one government reviewer",
			reviews:    []Input{in("n", "r1", "government", sc(3, 3, 3, 3, 3))},
			minReviews: 1,
			want: Score{
				Reviews: 1, Mean: 75, Median: 75,
				GovernmentMean: ptr(75),
				PerCriterion:   map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3},
				Flags:          []string{},
				SuggestedClass: "A",
			},
		},
		{
			name:       "one reviewer, below the minimum",
			reviews:    []Input{in("n", "r1", "media", sc(3, 3, 3, 3, 3))},
			minReviews: 3,
			want: Score{
				Reviews: 1, Mean: 75, Median: 75,
				NonGovernmentMean: ptr(75),
				PerCriterion:      map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3},
				Flags:             []string{},
			},
		},
		{
			// totals 75 and 25; every criterion spans 3 − 1 = 2
			name: "two reviewers disagreeing everywhere",
			reviews: []Input{
				in("n", "r1", "civil_society", sc(3, 3, 3, 3, 3)),
				in("n", "r2", "academia", sc(1, 1, 1, 1, 1)),
			},
			minReviews: 2,
			want: Score{
				Reviews: 2, Mean: 50, Median: 50,
				NonGovernmentMean: ptr(50),
				PerCriterion:      map[string]float64{"problem": 2, "relevance": 2, "ambition": 2, "verifiability": 2, "feasibility": 2},
				Flags:             []string{"problem", "relevance", "ambition", "verifiability", "feasibility"},
				SuggestedClass:    "B",
			},
		},
		{
			// totals 100, 75 and (30+60+50+60+40)/4 = 60: mean 235/3, median 75,
			// government 100, non-government (75+60)/2 = 67.5; spans p 2, r 1, a 2, v 1, f 2.
			name: "three reviewers, mixed sectors",
			reviews: []Input{
				in("n", "r1", "government", sc(4, 4, 4, 4, 4)),
				in("n", "r2", "civil_society", sc(3, 3, 3, 3, 3)),
				in("n", "r3", "academia", sc(2, 3, 2, 3, 2)),
			},
			minReviews: 3,
			want: Score{
				Reviews: 3, Mean: 235.0 / 3, Median: 75,
				GovernmentMean:    ptr(100),
				NonGovernmentMean: ptr(67.5),
				PerCriterion:      map[string]float64{"problem": 3, "relevance": 10.0 / 3, "ambition": 3, "verifiability": 10.0 / 3, "feasibility": 3},
				Flags:             []string{"problem", "ambition", "feasibility"},
				SuggestedClass:    "A",
			},
		},
		{
			// totals 50, 75, 75, 100: the two middle values tie at 75
			name: "four reviewers, median of a tie",
			reviews: []Input{
				in("n", "r1", "government", sc(2, 2, 2, 2, 2)),
				in("n", "r2", "government", sc(3, 3, 3, 3, 3)),
				in("n", "r3", "", sc(3, 3, 3, 3, 3)),
				in("n", "r4", "private_sector", sc(4, 4, 4, 4, 4)),
			},
			minReviews: 3,
			want: Score{
				Reviews: 4, Mean: 75, Median: 75,
				GovernmentMean:    ptr(62.5),
				NonGovernmentMean: ptr(87.5),
				PerCriterion:      map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3},
				Flags:             []string{"problem", "relevance", "ambition", "verifiability", "feasibility"},
				SuggestedClass:    "A",
			},
		},
		{
			// totals 25, 50, 75, 100 given in a shuffled order: median (50+75)/2
			name: "four reviewers, even median averages the middle two",
			reviews: []Input{
				in("n", "r1", "media", sc(4, 4, 4, 4, 4)),
				in("n", "r2", "media", sc(1, 1, 1, 1, 1)),
				in("n", "r3", "media", sc(3, 3, 3, 3, 3)),
				in("n", "r4", "media", sc(2, 2, 2, 2, 2)),
			},
			minReviews: 3,
			want: Score{
				Reviews: 4, Mean: 62.5, Median: 62.5,
				NonGovernmentMean: ptr(62.5),
				PerCriterion:      map[string]float64{"problem": 2.5, "relevance": 2.5, "ambition": 2.5, "verifiability": 2.5, "feasibility": 2.5},
				Flags:             []string{"problem", "relevance", "ambition", "verifiability", "feasibility"},
				SuggestedClass:    "B",
			},
		},
		{
			// totals (60+80+25+80+80)/4 = 81.25 and (60+80+50+80+80)/4 = 87.5: mean 84.375,
			// but ambition's mean is 1.5 so the note is B, not A; spans at most 1: no flags.
			name: "high mean held back by ambition",
			reviews: []Input{
				in("n", "r1", "government", sc(4, 4, 1, 4, 4)),
				in("n", "r2", "civil_society", sc(4, 4, 2, 4, 4)),
			},
			minReviews: 2,
			want: Score{
				Reviews: 2, Mean: 84.375, Median: 84.375,
				GovernmentMean:    ptr(81.25),
				NonGovernmentMean: ptr(87.5),
				PerCriterion:      map[string]float64{"problem": 4, "relevance": 4, "ambition": 1.5, "verifiability": 4, "feasibility": 4},
				Flags:             []string{},
				SuggestedClass:    "B",
			},
		},
		{
			// totals (0+20+25+40+40)/4 = 31.25 and (15+40+75+60+60)/4 = 62.5: mean 46.875;
			// spans p 1, r 1, a 2, v 1, f 1.
			name: "flags at span exactly 1 and 2, class D",
			reviews: []Input{
				in("n", "r1", "government", sc(0, 1, 1, 2, 2)),
				in("n", "r2", "government", sc(1, 2, 3, 3, 3)),
			},
			minReviews: 2,
			want: Score{
				Reviews: 2, Mean: 46.875, Median: 46.875,
				GovernmentMean: ptr(46.875),
				PerCriterion:   map[string]float64{"problem": 0.5, "relevance": 1.5, "ambition": 2, "verifiability": 2.5, "feasibility": 2.5},
				Flags:          []string{"ambition"},
				SuggestedClass: "D",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Aggregate(tt.reviews, def, tt.minReviews)
			checkScore(t, got, tt.want)
		})
	}
}

func checkScore(t *testing.T, got, want Score) {
	t.Helper()
	if got.Reviews != want.Reviews || !near(got.Mean, want.Mean) || !near(got.Median, want.Median) {
		t.Errorf("reviews/mean/median = %d/%v/%v, want %d/%v/%v", got.Reviews, got.Mean, got.Median, want.Reviews, want.Mean, want.Median)
	}
	if !nearPtr(got.NormalisedMean, want.NormalisedMean) {
		t.Errorf("NormalisedMean = %v, want %v", fmtPtr(got.NormalisedMean), fmtPtr(want.NormalisedMean))
	}
	if !nearPtr(got.GovernmentMean, want.GovernmentMean) {
		t.Errorf("GovernmentMean = %v, want %v", fmtPtr(got.GovernmentMean), fmtPtr(want.GovernmentMean))
	}
	if !nearPtr(got.NonGovernmentMean, want.NonGovernmentMean) {
		t.Errorf("NonGovernmentMean = %v, want %v", fmtPtr(got.NonGovernmentMean), fmtPtr(want.NonGovernmentMean))
	}
	if got.PerCriterion == nil || len(got.PerCriterion) != len(want.PerCriterion) {
		t.Errorf("PerCriterion = %v, want %v", got.PerCriterion, want.PerCriterion)
	}
	for k, w := range want.PerCriterion {
		if g, ok := got.PerCriterion[k]; !ok || !near(g, w) {
			t.Errorf("PerCriterion[%s] = %v, want %v", k, g, w)
		}
	}
	if got.Flags == nil || !slices.Equal(got.Flags, want.Flags) {
		t.Errorf("Flags = %#v, want %#v", got.Flags, want.Flags)
	}
	if got.SuggestedClass != want.SuggestedClass {
		t.Errorf("SuggestedClass = %q, want %q", got.SuggestedClass, want.SuggestedClass)
	}
}

func TestScoreJSON(t *testing.T) {
	b, err := json.Marshal(Aggregate(nil, DefaultCriteria(), 3))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"reviews":0,"mean":0,"median":0,"per_criterion":{},"flags":[]}`
	if string(b) != want {
		t.Errorf("empty score JSON = %s, want %s", b, want)
	}
}

func TestNormalise(t *testing.T) {
	def := DefaultCriteria()
	tests := []struct {
		name string
		all  []Input
		want map[string]float64
	}{
		{"no reviews", nil, map[string]float64{}},
		{
			// every total 75: σ_r = 0 so z = 0 and t' = μ = 75
			name: "all totals equal",
			all: []Input{
				in("n1", "a", "government", sc(3, 3, 3, 3, 3)),
				in("n2", "a", "government", sc(3, 3, 3, 3, 3)),
				in("n1", "b", "media", sc(3, 3, 3, 3, 3)),
				in("n2", "b", "media", sc(3, 3, 3, 3, 3)),
			},
			want: map[string]float64{"n1": 75, "n2": 75},
		},
		{
			// Harsh h scores n1 25, n2 50; generous g scores n3 75, n4 100.
			// Each reviewer: μ_r ± 12.5, so z = −1 for their worse note and +1 for
			// the better. Call: μ = 62.5, σ² = (37.5² + 12.5² + 12.5² + 37.5²)/4 = 781.25.
			// The harsh reviewer's best note (raw 50) now outranks the
			// generous reviewer's worst (raw 75).
			name: "harsh and generous reviewers",
			all: []Input{
				in("n1", "h", "government", sc(1, 1, 1, 1, 1)),
				in("n2", "h", "government", sc(2, 2, 2, 2, 2)),
				in("n3", "g", "civil_society", sc(3, 3, 3, 3, 3)),
				in("n4", "g", "civil_society", sc(4, 4, 4, 4, 4)),
			},
			want: map[string]float64{
				"n1": 62.5 - 27.95084971874737,
				"n2": 62.5 + 27.95084971874737,
				"n3": 62.5 - 27.95084971874737,
				"n4": 62.5 + 27.95084971874737,
			},
		},
		{
			// a's single review gets z = 0 → t' = μ = 50. b: μ_b = 25, σ_b = 25, z = ±1.
			// Call totals 100, 50, 0: μ = 50, σ = √(5000/3) = 40.8248290463863.
			// n1 = (50 + 90.8248290463863)/2, n2 = 50 − 40.8248290463863.
			name: "a single review normalises to the call mean",
			all: []Input{
				in("n1", "a", "government", sc(4, 4, 4, 4, 4)),
				in("n1", "b", "media", sc(2, 2, 2, 2, 2)),
				in("n2", "b", "media", sc(0, 0, 0, 0, 0)),
			},
			want: map[string]float64{"n1": 70.41241452319315, "n2": 9.1751709536137},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalise(tt.all, def)
			if got == nil || len(got) != len(tt.want) {
				t.Fatalf("Normalise() = %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9 {
					t.Errorf("Normalise()[%s] = %v, want %v", k, g, w)
				}
			}
		})
	}
}

func TestAggregateCall(t *testing.T) {
	def := DefaultCriteria()
	all := []Input{
		in("n1", "h", "government", sc(1, 1, 1, 1, 1)),
		in("n2", "h", "government", sc(2, 2, 2, 2, 2)),
		in("n2", "g", "civil_society", sc(4, 4, 4, 4, 4)),
		in("n3", "g", "civil_society", sc(3, 3, 3, 3, 3)),
	}
	// Totals: h 25, 50 (μ_h 37.5, σ_h 12.5); g 100, 75 (μ_g 87.5, σ_g 12.5).
	// Call μ = 62.5, σ = √781.25 = 27.95084971874737.
	// n1: t' = μ − σ; n2: (μ + σ + μ + σ)/2; n3: μ − σ.
	const s = 27.95084971874737
	got := AggregateCall(all, def, 2)
	if len(got) != 3 {
		t.Fatalf("AggregateCall gave %d notes, want 3: %v", len(got), got)
	}
	checkScore(t, got["n1"], Score{
		Reviews: 1, Mean: 25, Median: 25, NormalisedMean: ptr(62.5 - s), GovernmentMean: ptr(25),
		PerCriterion: map[string]float64{"problem": 1, "relevance": 1, "ambition": 1, "verifiability": 1, "feasibility": 1},
		Flags:        []string{},
	})
	checkScore(t, got["n2"], Score{
		Reviews: 2, Mean: 75, Median: 75, NormalisedMean: ptr(62.5 + s),
		GovernmentMean: ptr(50), NonGovernmentMean: ptr(100),
		PerCriterion:   map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3},
		Flags:          []string{"problem", "relevance", "ambition", "verifiability", "feasibility"},
		SuggestedClass: "A",
	})
	checkScore(t, got["n3"], Score{
		Reviews: 1, Mean: 75, Median: 75, NormalisedMean: ptr(62.5 - s), NonGovernmentMean: ptr(75),
		PerCriterion: map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3},
		Flags:        []string{},
	})
	if _, ok := got["n4"]; ok {
		t.Error("a note without reviews appears in AggregateCall")
	}
	if len(AggregateCall(nil, def, 3)) != 0 {
		t.Error("AggregateCall(nil) is not empty")
	}
}

func TestSuggestClass(t *testing.T) {
	good := map[string]float64{"ambition": 2, "relevance": 2, "verifiability": 2}
	with := func(k string, v float64) map[string]float64 {
		m := map[string]float64{"ambition": 2, "relevance": 2, "verifiability": 2}
		m[k] = v
		return m
	}
	tests := []struct {
		name    string
		mean    float64
		per     map[string]float64
		reviews int
		min     int
		want    string
	}{
		{"49.99 is D", 49.99, good, 3, 3, "D"},
		{"0 is D", 0, good, 3, 3, "D"},
		{"50 is B", 50, good, 3, 3, "B"},
		{"69.99 is B", 69.99, good, 3, 3, "B"},
		{"70 with criteria at 2 is A", 70, good, 3, 3, "A"},
		{"100 is A", 100, good, 3, 3, "A"},
		{"70, ambition 1.99 is B", 70, with("ambition", 1.99), 3, 3, "B"},
		{"70, relevance 1.99 is B", 70, with("relevance", 1.99), 3, 3, "B"},
		{"70, verifiability 1.99 is B", 70, with("verifiability", 1.99), 3, 3, "B"},
		{"70, problem 0 does not matter", 70, map[string]float64{"ambition": 2, "relevance": 2, "verifiability": 2, "problem": 0, "feasibility": 0}, 3, 3, "A"},
		{"high mean without ambition in the rubric is B", 90, map[string]float64{"relevance": 4, "verifiability": 4}, 3, 3, "B"},
		{"69.99, criteria low is B", 69.99, with("ambition", 0), 3, 3, "B"},
		{"below the minimum", 90, good, 2, 3, ""},
		{"below the minimum, low mean", 10, good, 0, 3, ""},
		{"more than the minimum", 10, good, 4, 3, "D"},
		{"no reviews, no minimum", 0, nil, 0, 0, ""},
		{"one review, minimum 1", 55, good, 1, 1, "B"},
	}
	for _, tt := range tests {
		if got := SuggestClass(tt.mean, tt.per, tt.reviews, tt.min); got != tt.want {
			t.Errorf("%s: SuggestClass(%v, %v, %d, %d) = %q, want %q", tt.name, tt.mean, tt.per, tt.reviews, tt.min, got, tt.want)
		}
	}
}
