package store

import (
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func rawOf(t *testing.T, v int) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(bson.D{{Key: "_id", Value: "a"}, {Key: "v", Value: v}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDocCacheNeverTakesBackAnOlderCopy checks the generation rule: a read
// that began before a write may not fill the cache after it.
func TestDocCacheNeverTakesBackAnOlderCopy(t *testing.T) {
	c := newDocCache()
	gen := c.generation() // a reader starts, and reads v=1 from the engine
	c.put("a", rawOf(t, 2))
	c.drop("a") // a writer wrote v=2 and forgot the cached copy
	c.fill("a", rawOf(t, 1), gen)
	if _, ok := c.get("a"); ok {
		t.Fatal("a read from before a write filled the cache after it")
	}
	gen = c.generation()
	c.fill("a", rawOf(t, 2), gen)
	if raw, ok := c.get("a"); !ok || raw.Lookup("v").Int32() != 2 {
		t.Fatalf("a read with no write since was not kept: %v %v", raw, ok)
	}
	c.clear()
	if _, ok := c.get("a"); ok {
		t.Fatal("clear kept a document")
	}
	for i := range maxCached + 10 {
		c.put(fmt.Sprint(i), rawOf(t, i))
	}
	if n := len(c.m); n != maxCached {
		t.Fatalf("cache holds %d documents, bound is %d", n, maxCached)
	}
}

func TestIDOf(t *testing.T) {
	for _, tc := range []struct {
		f    any
		id   string
		only bool
	}{
		{bson.D{{Key: "_id", Value: "x"}}, "x", true},
		{bson.D{{Key: "_id", Value: "x"}, {Key: "version", Value: 2}}, "x", true},
		{bson.M{"_id": "x"}, "x", true},
		{bson.D{{Key: "user_id", Value: "x"}}, "", false},
		{bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"x", "y"}}}}}, "", false},
		{nil, "", false},
	} {
		id, ok := idOf(tc.f)
		if id != tc.id || ok != tc.only {
			t.Errorf("idOf(%v) = %q, %v", tc.f, id, ok)
		}
	}
}
