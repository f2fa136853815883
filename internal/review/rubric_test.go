package review

import (
	"maps"
	"testing"
)

func TestDefaultCriteria(t *testing.T) {
	want := []Criterion{
		{"problem", "Problem: clarity and evidence", 15},
		{"relevance", "Relevance to OGP values", 20},
		{"ambition", "Ambition: potential for results", 25},
		{"verifiability", "Verifiability of milestones", 20},
		{"feasibility", "Feasibility: ownership and resources", 20},
	}
	got := DefaultCriteria()
	if len(got) != len(want) {
		t.Fatalf("DefaultCriteria() has %d criteria, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("DefaultCriteria()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if errs := ValidateWeights(got); errs != nil {
		t.Errorf("ValidateWeights(DefaultCriteria()) = %v, want nil", errs)
	}
	// A caller editing its copy must not change the next call's defaults.
	got[0].Weight = 99
	if again := DefaultCriteria(); again[0].Weight != 15 {
		t.Errorf("DefaultCriteria shares its backing array: weight %d after a caller's edit", again[0].Weight)
	}
}

func TestAnchors(t *testing.T) {
	tests := []struct {
		key   string
		level int
		want  string
	}{
		{"problem", 0, "none"},
		{"problem", 1, "vague"},
		{"problem", 2, "clear, no evidence"},
		{"problem", 4, "clear, with baseline and affected groups"},
		{"relevance", 4, "several values; the public can act on it"},
		{"ambition", 0, "status quo"},
		{"ambition", 2, "modest standalone (portal, training, pilot)"},
		{"verifiability", 3, "all deliverables dated"},
		{"feasibility", 0, "no plausible owner"},
		{"feasibility", 4, "agency interest shown, resources identified"},
		{"nonsense", 0, ""},
	}
	for _, tt := range tests {
		if got := Anchors(tt.key)[tt.level]; got != tt.want {
			t.Errorf("Anchors(%q)[%d] = %q, want %q", tt.key, tt.level, got, tt.want)
		}
	}
	for _, c := range DefaultCriteria() {
		for level, text := range Anchors(c.Key) {
			if text == "" {
				t.Errorf("Anchors(%q)[%d] is empty", c.Key, level)
			}
		}
	}
}

// withWeights returns the default rubric with some weights changed.
func withWeights(w map[string]int) []Criterion {
	c := DefaultCriteria()
	for i := range c {
		if v, ok := w[c[i].Key]; ok {
			c[i].Weight = v
		}
	}
	return c
}

func TestValidateWeights(t *testing.T) {
	def := DefaultCriteria()
	tests := []struct {
		name string
		c    []Criterion
		want map[string]string
	}{
		{"defaults", def, nil},
		{"other weights summing to 100", withWeights(map[string]int{"problem": 0, "ambition": 40}), nil},
		{"sum 95", withWeights(map[string]int{"ambition": 20}), map[string]string{
			"criteria": "Weights must add up to 100: they add up to 95",
		}},
		{"sum 105", withWeights(map[string]int{"problem": 20}), map[string]string{
			"criteria": "Weights must add up to 100: they add up to 105",
		}},
		{"negative weight", withWeights(map[string]int{"problem": -5, "ambition": 45}), map[string]string{
			"problem": "Weight for Problem: clarity and evidence must be a whole number from 0 to 100",
		}},
		{"weight over 100", []Criterion{
			{"problem", "", 101}, {"relevance", "", 0}, {"ambition", "", -1}, {"verifiability", "", 0}, {"feasibility", "", 0},
		}, map[string]string{
			"problem":  "Weight for Problem: clarity and evidence must be a whole number from 0 to 100",
			"ambition": "Weight for Ambition: potential for results must be a whole number from 0 to 100",
		}},
		{"missing criterion", def[:4], map[string]string{
			"feasibility": "Feasibility: ownership and resources is missing: every criterion needs a weight",
			"criteria":    "Weights must add up to 100: they add up to 80",
		}},
		{"duplicate criterion", append([]Criterion{{"problem", "", 0}}, def...), map[string]string{
			"problem": "Problem: clarity and evidence is listed more than once",
		}},
		{"unknown criterion", append(withWeights(map[string]int{"ambition": 15}), Criterion{"cost", "Cost", 10}), map[string]string{
			"cost": `Unknown criterion "cost"`,
		}},
		{"empty key", append(withWeights(map[string]int{"ambition": 15}), Criterion{"", "", 10}), map[string]string{
			"criteria": "Every criterion needs a key",
		}},
		{"nothing", nil, map[string]string{
			"problem":       "Problem: clarity and evidence is missing: every criterion needs a weight",
			"relevance":     "Relevance to OGP values is missing: every criterion needs a weight",
			"ambition":      "Ambition: potential for results is missing: every criterion needs a weight",
			"verifiability": "Verifiability of milestones is missing: every criterion needs a weight",
			"feasibility":   "Feasibility: ownership and resources is missing: every criterion needs a weight",
			"criteria":      "Weights must add up to 100: they add up to 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidateWeights(tt.c)
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ValidateWeights() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateScores(t *testing.T) {
	c := DefaultCriteria()
	full := map[string]int{"problem": 0, "relevance": 1, "ambition": 2, "verifiability": 3, "feasibility": 4}
	tests := []struct {
		name     string
		scores   map[string]int
		complete bool
		want     map[string]string
	}{
		{"complete, every level", full, true, nil},
		{"partial draft", map[string]int{"ambition": 3}, false, nil},
		{"empty draft", nil, false, nil},
		{"above 4", map[string]int{"ambition": 5}, false, map[string]string{"ambition": "Score ambition from 0 to 4"}},
		{"below 0", map[string]int{"problem": -1}, false, map[string]string{"problem": "Score problem from 0 to 4"}},
		{"unknown key", map[string]int{"cost": 2}, false, map[string]string{"cost": `Unknown criterion "cost"`}},
		{"submit missing two", map[string]int{"problem": 2, "relevance": 2, "ambition": 2}, true, map[string]string{
			"verifiability": "Score verifiability from 0 to 4 before submitting",
			"feasibility":   "Score feasibility from 0 to 4 before submitting",
		}},
		{"submit with one out of range", map[string]int{"problem": 2, "relevance": 2, "ambition": 2, "verifiability": 2, "feasibility": 9}, true, map[string]string{
			"feasibility": "Score feasibility from 0 to 4",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidateScores(tt.scores, c, tt.complete)
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ValidateScores() = %q, want %q", got, tt.want)
			}
		})
	}
	// A call may drop a criterion from its rubric; its key is then unknown.
	small := []Criterion{{"problem", "", 50}, {"ambition", "", 50}}
	got := ValidateScores(map[string]int{"problem": 1, "ambition": 1, "relevance": 1}, small, true)
	if want := map[string]string{"relevance": `Unknown criterion "relevance"`}; !maps.Equal(got, want) {
		t.Errorf("ValidateScores against a two-criterion rubric = %q, want %q", got, want)
	}
}

// sc builds scores in enum.Criteria order: problem, relevance, ambition, verifiability, feasibility.
func sc(p, r, a, v, f int) map[string]int {
	return map[string]int{"problem": p, "relevance": r, "ambition": a, "verifiability": v, "feasibility": f}
}

func TestTotal(t *testing.T) {
	def := DefaultCriteria()
	tests := []struct {
		name   string
		scores map[string]int
		c      []Criterion
		want   float64
	}{
		{"all 4", sc(4, 4, 4, 4, 4), def, 100},
		{"all 0", sc(0, 0, 0, 0, 0), def, 0},
		{"all 2", sc(2, 2, 2, 2, 2), def, 50},
		// 15·3 + 20·2 + 25·4 + 20·1 + 20·3 = 265; /4 = 66.25
		{"mixed", sc(3, 2, 4, 1, 3), def, 66.25},
		// 15·1 = 15; /4 = 3.75
		{"only problem", map[string]int{"problem": 1}, def, 3.75},
		{"unknown key ignored", map[string]int{"ambition": 4, "cost": 4}, def, 25},
		// 40·4 + 60·1 = 220; /4 = 55
		{"custom weights", map[string]int{"problem": 4, "ambition": 1}, []Criterion{{"problem", "", 40}, {"ambition", "", 60}}, 55},
	}
	for _, tt := range tests {
		if got := Total(tt.scores, tt.c); got != tt.want {
			t.Errorf("%s: Total() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRound1(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{66.25, 66.3},
		{66.24, 66.2},
		{78.33333333333333, 78.3},
		{70, 70},
		{0.05, 0.1},
		{99.96, 100},
		{-1.25, -1.3},
	}
	for _, tt := range tests {
		if got := Round1(tt.in); got != tt.want {
			t.Errorf("Round1(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
