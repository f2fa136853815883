package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// person is an account the load signs in with.
type person struct {
	ID, Email, Org, Token string
}

// world is the call and the people of one run.
type world struct {
	callID, slug string
	admin        person // coordinator and chair (COCREATE_ADMIN_EMAIL)
	participants []person
	reviewers    []person
}

const password = "load-participant-password"

// setUp creates the call, the reviewers (by the coordinator, through the
// API) and the participants (each registers through the API), and signs
// them all in. Password hashing is the costly part (argon2id, 19 MiB), so
// at most authWorkers run at once.
func setUp(ctx context.Context, a *api, participants, reviewers int, tag string) (*world, error) {
	w := &world{slug: "load-" + tag}
	var err error
	if w.admin, err = signIn(ctx, a, adminEmail, adminPassword); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var call struct {
		Call struct {
			ID string `json:"id"`
		} `json:"call"`
	}
	body := map[string]any{
		"slug": w.slug, "title": "Load test call " + tag, "description": "Notes sent by scripts/load.",
		"ref_prefix": "LD" + tag, "opens_at": now.Add(-time.Hour).Format(time.RFC3339),
		"closes_at": now.Add(7 * 24 * time.Hour).Format(time.RFC3339), "plan_start": "2027-01", "plan_end": "2028-12",
		"reviewers_per_note": 2, "min_reviews": 2,
		// The rush is about submissions, not e-mail: its participants register
		// through the API and never open a confirmation link (the suite and
		// the browser journeys check that gate), so the call does not ask.
		"requires_verified_email": false,
	}
	if err := a.expect(ctx, "create the call", "POST", "/api/v1/calls", w.admin.Token, body, 201, &call); err != nil {
		return nil, err
	}
	w.callID = call.Call.ID

	w.reviewers = make([]person, reviewers)
	w.participants = make([]person, participants)
	sem := make(chan struct{}, authWorkers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	sectors := []string{"government", "academia", "private_sector", "international"}
	for i := range reviewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("reviewer%02d-%s@load.example", i, tag)
			org := fmt.Sprintf("Review Board %02d", i)
			b := map[string]any{"email": email, "name": fmt.Sprintf("Reviewer %02d", i), "organization": org,
				"sector": sectors[i%len(sectors)], "district": "belize", "roles": []string{"reviewer"}, "password": password}
			if err := a.expect(ctx, "create a reviewer", "POST", "/api/v1/users", w.admin.Token, b, 201, nil); err != nil {
				fail(err)
				return
			}
			p, err := signIn(ctx, a, email, password)
			if err != nil {
				fail(err)
				return
			}
			p.Org = org
			w.reviewers[i] = p
		}()
	}
	districts := []string{"belize", "cayo", "corozal", "orange_walk", "stann_creek", "toledo"}
	for i := range participants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("participant%03d-%s@load.example", i, tag)
			org := fmt.Sprintf("Community Group %03d", i)
			b := map[string]any{"email": email, "password": password, "name": fmt.Sprintf("Participant %03d", i),
				"organization": org, "sector": "civil_society", "district": districts[i%len(districts)]}
			if err := a.expect(ctx, "register a participant", "POST", "/api/v1/register", "", b, 201, nil); err != nil {
				fail(err)
				return
			}
			p, err := signIn(ctx, a, email, password)
			if err != nil {
				fail(err)
				return
			}
			p.Org = org
			w.participants[i] = p
		}()
	}
	wg.Wait()
	return w, first
}

// authWorkers is how many sign-ins and registrations run at once.
const authWorkers = 6

func signIn(ctx context.Context, a *api, email, pw string) (person, error) {
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	err := a.expect(ctx, "sign in "+email, "POST", "/api/v1/login", "", map[string]string{"email": email, "password": pw}, 200, &out)
	return person{ID: out.User.ID, Email: email, Token: out.Token}, err
}
