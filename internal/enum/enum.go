// Package enum holds the closed value lists of the domain (sectors,
// districts, values, policy areas, states, classes, reason codes, criteria,
// checklist items) with their plain-English labels.
package enum

// Option is one allowed value with the label people read.
type Option struct {
	Value string
	Label string
}

// List is an ordered set of options.
type List []Option

// Has reports whether v is one of the list's values.
func (l List) Has(v string) bool {
	for _, o := range l {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Label returns the label of v, or v itself when it is unknown.
func (l List) Label(v string) string {
	for _, o := range l {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// Values returns the values in order.
func (l List) Values() []string {
	out := make([]string, len(l))
	for i, o := range l {
		out[i] = o.Value
	}
	return out
}

// Sectors are the sectors a person or organisation belongs to.
var Sectors = List{
	{"government", "Government"},
	{"civil_society", "Civil society"},
	{"academia", "Academia"},
	{"private_sector", "Private sector"},
	{"media", "Media"},
	{"individual", "Individual citizen"},
	{"international", "International organisation"},
}

// IsGovernment reports whether a sector counts as government for mixing reviewers.
func IsGovernment(sector string) bool { return sector == "government" }

// Districts are Belize's districts plus "outside"; a coordinator may extend them later.
var Districts = List{
	{"belize", "Belize"},
	{"cayo", "Cayo"},
	{"corozal", "Corozal"},
	{"orange_walk", "Orange Walk"},
	{"stann_creek", "Stann Creek"},
	{"toledo", "Toledo"},
	{"outside", "Outside Belize"},
}

// Values are the OGP values a note may advance.
var Values = List{
	{"transparency", "Transparency and access to information"},
	{"participation", "Civic participation"},
	{"accountability", "Public accountability"},
	{"technology", "Technology and innovation"},
	{"inclusion", "Inclusion"},
}

// CoreValues are the values of which a note needs at least one.
var CoreValues = List{Values[0], Values[1], Values[2]}

// PolicyAreas are the policy areas a note can fall under.
var PolicyAreas = List{
	{"access_to_information", "Access to information"},
	{"anti_corruption", "Anti-corruption"},
	{"civic_space", "Civic space"},
	{"climate_environment", "Climate and environment"},
	{"digital_governance", "Digital governance"},
	{"fiscal_openness", "Fiscal openness"},
	{"gender_inclusion", "Gender and inclusion"},
	{"justice", "Justice"},
	{"media_freedom", "Media freedom"},
	{"public_participation", "Public participation"},
	{"public_service_delivery", "Public service delivery"},
	{"other", "Other"},
}

// Roles are the roles a user may hold.
var Roles = List{
	{"participant", "Participant"},
	{"reviewer", "Reviewer"},
	{"chair", "Chair"},
	{"coordinator", "Coordinator"},
}

// States are the states of a concept note, labelled for participants.
var States = List{
	{"draft", "Draft"},
	{"submitted", "Submitted"},
	{"returned", "Returned for revision"},
	{"screened", "Under review"},
	{"ineligible", "Not eligible"},
	{"classified", "Classified"},
	{"withdrawn", "Withdrawn"},
}

// CommitteeStates are the same states in the committee's words
// (participants read "under review" for a screened note; the committee
// needs more).
var CommitteeStates = List{
	{"draft", "Draft"},
	{"submitted", "Awaiting screening"},
	{"returned", "Returned for revision"},
	{"screened", "Screened: in scoring"},
	{"ineligible", "Not eligible"},
	{"classified", "Classified"},
	{"withdrawn", "Withdrawn"},
}

// Classes are the classification outcomes.
var Classes = List{
	{"A", "A: prioritise"},
	{"B", "B: develop or merge"},
	{"C", "C: refer elsewhere"},
	{"D", "D: not selected"},
}

// ReasonCodes explain a classification decision.
var ReasonCodes = List{
	{"included", "Included"},
	{"merged", "Merged with another note"},
	{"out_of_scope", "Out of scope of the action plan"},
	{"status_quo", "Does not go beyond the status quo"},
	{"not_verifiable", "Not verifiable"},
	{"no_owner", "No plausible owner"},
	{"duplicate", "Duplicate"},
	{"lower_priority", "Lower priority"},
}

// Criteria are the rubric criteria keys in order with their labels.
var Criteria = List{
	{"problem", "Problem: clarity and evidence"},
	{"relevance", "Relevance to OGP values"},
	{"ambition", "Ambition: potential for results"},
	{"verifiability", "Verifiability of milestones"},
	{"feasibility", "Feasibility: ownership and resources"},
}

// Checklist are the screening criteria keys in order with their labels.
var Checklist = List{
	{"complete", "Complete: required fields present and within limits"},
	{"public_problem", "Addresses a public problem a public institution could own"},
	{"ogp_relevance", "Makes something more transparent, participatory or accountable"},
	{"beyond_status_quo", "Goes beyond existing legal duties or ongoing practice"},
	{"verifiable", "Has at least one dated, objectively checkable deliverable"},
	{"plan_period", "Fits within the plan period"},
	{"appropriate", "No defamatory or commercial content, no third-party personal data"},
	{"not_self_funding", "Not a grant or procurement request for the submitter's own organisation"},
}
