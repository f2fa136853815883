package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestServersShareAMongoDB runs the program as configured for MongoDB
// (MONGODB_URI): two servers at once on one database, `user add` while they
// serve, and a restart that keeps the data.
func TestServersShareAMongoDB(t *testing.T) {
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		t.Skip("MONGODB_URI is not set: this test runs the program on a MongoDB (scripts/test-mongo.sh); the embedded engine's start-up is TestRestartKeepsTheData")
	}
	db := fmt.Sprintf("cmd_%d_%d", os.Getpid()%100000, time.Now().UnixNano()%1000000)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			return
		}
		_ = c.Database(db).Drop(ctx)
		_ = c.Disconnect(ctx)
	})
	env := baseEnv(t.TempDir(), "MONGODB_URI", uri, "COCREATE_DB", db,
		"COCREATE_ADMIN_EMAIL", "admin@example.org", "COCREATE_ADMIN_PASSWORD", "change-me-now")

	s1 := startServer(t, env)
	s2 := startServer(t, env) // a second process on the same database: no data-directory lock applies
	if s1.get(t, "/readyz", "") != 200 || s2.get(t, "/readyz", "") != 200 {
		t.Fatal("not ready")
	}
	status, _ := s2.post(t, "/api/v1/register", map[string]string{"email": "ana@example.org", "password": "a long enough password",
		"name": "Ana", "organization": "Org", "sector": "media", "district": "cayo"})
	if status != 201 {
		t.Fatalf("register through the second server: %d", status)
	}
	if status, _ := s1.login(t, "ana@example.org", "a long enough password"); status != 200 {
		t.Fatalf("sign in through the first server as the account registered through the second: %d", status)
	}
	status, tok := s1.login(t, "admin@example.org", "change-me-now")
	if status != 200 || s2.get(t, "/api/v1/users?role=coordinator", tok) != 200 {
		t.Fatalf("the first coordinator's token from one server does not work on the other: %d", status)
	}
	if strings.Count(s1.stderr.String()+s2.stderr.String(), "created the first coordinator") != 1 {
		t.Errorf("the first coordinator was not created exactly once by two servers:\n%s\n%s", s1.stderr.String(), s2.stderr.String())
	}

	// `user add` works while the servers run, on MongoDB.
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "--email", "rita@example.org", "--name", "Rita Reviewer", "--roles", "reviewer"},
		envOf(env), strings.NewReader("a long enough password\n"), &stdout, &stderr); err != nil {
		t.Fatalf("user add while serving: %v\n%s", err, stderr.String())
	}
	if status, _ := s2.login(t, "rita@example.org", "a long enough password"); status != 200 {
		t.Fatalf("the account added while serving cannot sign in: %d", status)
	}

	if err := s1.stop(t); err != nil {
		t.Fatalf("stop the first server: %v", err)
	}
	if err := s2.stop(t); err != nil {
		t.Fatalf("stop the second server: %v", err)
	}
	env["COCREATE_ADMIN_PASSWORD"] = "another password"
	s3 := startServer(t, env)
	for _, who := range [][2]string{{"ana@example.org", "a long enough password"}, {"rita@example.org", "a long enough password"},
		{"admin@example.org", "change-me-now"}} {
		if status, _ := s3.login(t, who[0], who[1]); status != 200 {
			t.Fatalf("%s after a restart: %d", who[0], status)
		}
	}
}
