package embeddb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func noteDoc5(id string) bson.D {
	w := strings.Repeat("words and more ", 30)
	return bson.D{{Key: "_id", Value: id}, {Key: "call_id", Value: "c1"}, {Key: "state", Value: "draft"}, {Key: "version", Value: 1}, {Key: "owner", Value: "u1"},
		{Key: "title", Value: "Open budget data for every district"}, {Key: "summary", Value: w}, {Key: "problem", Value: w}, {Key: "commitment", Value: w}, {Key: "change", Value: w},
		{Key: "values", Value: bson.A{"transparency", "participation"}},
		{Key: "milestones", Value: bson.A{bson.D{{Key: "deliverable", Value: "x"}, {Key: "responsible", Value: "y"}, {Key: "due", Value: "2027-01"}}, bson.D{{Key: "deliverable", Value: "x"}, {Key: "responsible", Value: "y"}, {Key: "due", Value: "2027-01"}}}},
		{Key: "created_at", Value: time.Now()}, {Key: "updated_at", Value: time.Now()}, {Key: "assignments", Value: bson.A{}}, {Key: "conflicts", Value: bson.A{}}, {Key: "history", Value: bson.A{}}}
}

func TestZZProbe5(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	cl, _ := mongo.Connect(options.Client().ApplyURI(s.URI()).SetMaxPoolSize(64))
	defer cl.Disconnect(ctx)
	K, _ := strconv.Atoi(os.Getenv("K"))
	K = max(K, 1)
	const N = 2000
	colls := make([]*mongo.Collection, K)
	locks := make([]sync.Mutex, K)
	for k := range K {
		colls[k] = cl.Database(fmt.Sprint("p", k)).Collection("notes")
	}
	for i := range N {
		colls[i%K].InsertOne(ctx, noteDoc5(fmt.Sprint("n", i)))
	}
	for k := range K {
		if err := s.IndexIDs(ctx, fmt.Sprint("p", k)); err != nil {
			t.Fatal(err)
		}
	}
	upd := func(i int) bson.D {
		return bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "submitted"}, {Key: "ref", Value: fmt.Sprint("BZ-", i)}, {Key: "updated_at", Value: time.Now()}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
			{Key: "$push", Value: bson.D{{Key: "history", Value: bson.D{{Key: "from", Value: "draft"}, {Key: "to", Value: "submitted"}, {Key: "at", Value: time.Now()}}}}}}
	}
	next := make(chan int, N)
	for i := range N {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range 32 {
		wg.Go(func() {
			for i := range next {
				k := i % K
				locks[k].Lock()
				err := colls[k].FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("n", i)}}, upd(i), options.FindOneAndUpdate().SetReturnDocument(options.After)).Err()
				locks[k].Unlock()
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(t0)
	bare := cl.Database("bare").Collection("b")
	next2 := make(chan int, N)
	for i := range N {
		next2 <- i
	}
	close(next2)
	t1 := time.Now()
	for range 32 {
		wg.Go(func() {
			for i := range next2 {
				if _, err := bare.InsertOne(ctx, noteDoc5(fmt.Sprint("b", i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	el2 := time.Since(t1)
	t.Logf("K=%d: locked fAM %.0f/s, bare insert %.0f/s, ratio %.2f", K, N/el.Seconds(), N/el2.Seconds(), el2.Seconds()/el.Seconds())
}
