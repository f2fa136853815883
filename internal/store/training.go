package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
	"cocreate/internal/training"
)

// The training programme's collections. Programmes are stored under their
// call's id, attendance under session:user and certificates under their
// code, so that every hot read is an _id look-up. Library files are kept
// in the database as chunks (one document per 1 MiB, _id file:n), so that
// a backup of the database (the data directory, or mongodump) holds them
// on both engines.
func (s *Store) programmes() *mongo.Collection   { return s.db.Collection("programmes") }
func (s *Store) attendance() *mongo.Collection   { return s.db.Collection("attendance") }
func (s *Store) certificates() *mongo.Collection { return s.db.Collection("certificates") }
func (s *Store) files() *mongo.Collection        { return s.db.Collection("library_files") }
func (s *Store) chunks() *mongo.Collection       { return s.db.Collection("library_chunks") }

// ProgrammeOf returns the call's programme, or apperr.ErrNotFound.
func (s *Store) ProgrammeOf(ctx context.Context, callID string) (*training.Programme, error) {
	var p training.Programme
	if err := s.findByID(ctx, s.programmes(), callID, &p); err != nil {
		return nil, notFound(err, "programme of call "+callID)
	}
	return &p, nil
}

// SaveProgramme stores p when the stored programme is at version (0: there
// is none yet); p.Version becomes version+1. Another change in between is
// apperr.ErrStaleVersion.
func (s *Store) SaveProgramme(ctx context.Context, p *training.Programme, version int) error {
	p.Version = version + 1
	p.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if version == 0 {
		err := s.insertOne(ctx, s.programmes(), p)
		if errors.Is(err, apperr.ErrDuplicate) {
			return fmt.Errorf("programme of call %s: %w", p.CallID, apperr.ErrStaleVersion)
		}
		return err
	}
	ok, err := s.casReplace(ctx, s.programmes(), p.CallID,
		bson.D{{Key: "_id", Value: p.CallID}, {Key: "version", Value: version}}, versionIs(version), p)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("programme of call %s: %w", p.CallID, apperr.ErrStaleVersion)
	}
	return nil
}

// SetImportMapping remembers the column mapping last used for the
// programme's attendance reports.
func (s *Store) SetImportMapping(ctx context.Context, callID string, m training.Mapping) error {
	_, err := s.updateOne(ctx, s.programmes(), bson.D{{Key: "_id", Value: callID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mapping", Value: m}}}})
	return err
}

// SetMinutes records the minutes online of each participant in minutes
// (user id → minutes) at a session. Records that do not exist yet are
// inserted in batches (an insert has no read half, and the engine takes a
// batch in one go); existing records whose minutes differ are updated by
// _id (a hundred to a bulk write on MongoDB, one by one on the embedded
// engine); equal ones are left alone, so importing
// the same report again writes nothing. A write that failed part-way is
// repaired by importing the file again.
func (s *Store) SetMinutes(ctx context.Context, callID, sessionID string, minutes map[string]int) error {
	if len(minutes) == 0 {
		return nil
	}
	all, err := s.AttendanceOfCall(ctx, callID)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	update := func(uid string, m int) mongo.WriteModel {
		return mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: training.AttendanceID(sessionID, uid)}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "call_id", Value: callID}, {Key: "session_id", Value: sessionID},
				{Key: "user_id", Value: uid}, {Key: "minutes", Value: m}, {Key: "updated_at", Value: now}}}}).
			SetUpsert(true)
	}
	var fresh []any
	var freshIDs []string
	var updates []mongo.WriteModel
	for uid, m := range minutes {
		if a, ok := all[uid][sessionID]; ok {
			if a.Minutes != m {
				updates = append(updates, update(uid, m))
			}
			continue
		}
		fresh = append(fresh, training.Attendance{ID: training.AttendanceID(sessionID, uid), CallID: callID, SessionID: sessionID,
			UserID: uid, Minutes: minutes[uid], UpdatedAt: now})
		freshIDs = append(freshIDs, uid)
	}
	for i := 0; i < len(fresh); i += 500 {
		end := min(i+500, len(fresh))
		for k, err := range s.insertEach(ctx, s.attendance(), fresh[i:end]) {
			switch {
			case errors.Is(err, apperr.ErrDuplicate): // written meanwhile (a check-in): update it instead
				uid := freshIDs[i+k]
				updates = append(updates, update(uid, minutes[uid]))
			case err != nil:
				return fmt.Errorf("record the attendance of session %s: %w", sessionID, err)
			}
		}
	}
	// FerretDB 1.24 keeps every statement of an update command open until
	// the command ends, and a bulk write of a hundred updates stalls past
	// the write timeout: on the embedded engine each goes on its own.
	batch := 100
	if s.embedded {
		batch = 1
	}
	for i := 0; i < len(updates); i += batch {
		end := min(i+batch, len(updates))
		if _, err := s.bulkWrite(ctx, s.attendance(), updates[i:end], options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("record the attendance of session %s: %w", sessionID, err)
		}
	}
	return nil
}

// SetCheckedIn records whether the participant was checked in at the
// session's venue, and, when minutes is given, their minutes.
func (s *Store) SetCheckedIn(ctx context.Context, callID, sessionID, userID string, present bool, minutes *int) error {
	set := bson.D{{Key: "call_id", Value: callID}, {Key: "session_id", Value: sessionID}, {Key: "user_id", Value: userID},
		{Key: "checked_in", Value: present}, {Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}
	if minutes != nil {
		set = append(set, bson.E{Key: "minutes", Value: *minutes})
	}
	_, err := s.updateOne(ctx, s.attendance(), bson.D{{Key: "_id", Value: training.AttendanceID(sessionID, userID)}},
		bson.D{{Key: "$set", Value: set}}, options.UpdateOne().SetUpsert(true))
	return err
}

// SetInterest records the mode a participant registered for a session in.
func (s *Store) SetInterest(ctx context.Context, callID, sessionID, userID, mode string) error {
	_, err := s.updateOne(ctx, s.attendance(), bson.D{{Key: "_id", Value: training.AttendanceID(sessionID, userID)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "call_id", Value: callID}, {Key: "session_id", Value: sessionID},
			{Key: "user_id", Value: userID}, {Key: "mode", Value: mode}}}}, options.UpdateOne().SetUpsert(true))
	return err
}

// AttendanceOf returns the participant's attendance at each of the
// sessions that has any, keyed by session id: one _id look-up a session.
func (s *Store) AttendanceOf(ctx context.Context, userID string, sessionIDs []string) (map[string]training.Attendance, error) {
	out := make(map[string]training.Attendance, len(sessionIDs))
	for _, sid := range sessionIDs {
		var a training.Attendance
		err := s.attendance().FindOne(ctx, bson.D{{Key: "_id", Value: training.AttendanceID(sid, userID)}}).Decode(&a)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue
		case err != nil:
			return nil, wrapDB(err)
		}
		out[sid] = a
	}
	return out, nil
}

// AttendanceOfCall returns every attendance record of the call's
// programme, keyed by user and then session.
func (s *Store) AttendanceOfCall(ctx context.Context, callID string) (map[string]map[string]training.Attendance, error) {
	cur, err := s.attendance().Find(ctx, bson.D{{Key: "call_id", Value: callID}})
	if err != nil {
		return nil, wrapDB(err)
	}
	defer cur.Close(ctx)
	out := map[string]map[string]training.Attendance{}
	for cur.Next(ctx) {
		var a training.Attendance
		if err := cur.Decode(&a); err != nil {
			return nil, wrapDB(err)
		}
		if out[a.UserID] == nil {
			out[a.UserID] = map[string]training.Attendance{}
		}
		out[a.UserID][a.SessionID] = a
	}
	return out, wrapDB(cur.Err())
}

// CertificateByCode returns the certificate with that code, or apperr.ErrNotFound.
func (s *Store) CertificateByCode(ctx context.Context, code string) (*training.Certificate, error) {
	var c training.Certificate
	if err := s.certificates().FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&c); err != nil {
		return nil, notFound(err, "certificate")
	}
	return &c, nil
}

// CertificatesOfCall returns the call's certificates keyed by user id.
func (s *Store) CertificatesOfCall(ctx context.Context, callID string) (map[string]*training.Certificate, error) {
	cur, err := s.certificates().Find(ctx, bson.D{{Key: "call_id", Value: callID}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var list []*training.Certificate
	if err := cur.All(ctx, &list); err != nil {
		return nil, wrapDB(err)
	}
	out := make(map[string]*training.Certificate, len(list))
	for _, c := range list {
		out[c.UserID] = c
	}
	return out, nil
}

// IssueCertificate stores c (its code already drawn) unless the participant
// already holds one for the call, and returns the one they hold: a unique
// index on {call_id, user_id} keeps it to one each however many ask at once.
func (s *Store) IssueCertificate(ctx context.Context, c *training.Certificate) (*training.Certificate, error) {
	err := s.insertOne(ctx, s.certificates(), c)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, apperr.ErrDuplicate) {
		return nil, err
	}
	var have training.Certificate
	if ferr := s.certificates().FindOne(ctx, bson.D{{Key: "call_id", Value: c.CallID}, {Key: "user_id", Value: c.UserID}}).Decode(&have); ferr != nil {
		// A repeated code (50 random bits: as good as never) is a duplicate too.
		return nil, fmt.Errorf("issue a certificate: %w", err)
	}
	return &have, nil
}

// File is a library file's description; its bytes are in chunks.
type File struct {
	ID        string    `bson:"_id"`
	CallID    string    `bson:"call_id"`
	Name      string    `bson:"name"`
	Kind      string    `bson:"kind"`
	Size      int64     `bson:"size"`
	Chunks    int       `bson:"chunks"`
	CreatedAt time.Time `bson:"created_at"`
}

const chunkSize = 1 << 20

type chunk struct {
	ID     string `bson:"_id"` // file:n
	FileID string `bson:"file_id"`
	Data   []byte `bson:"data"`
}

func chunkID(file string, n int) string { return fmt.Sprintf("%s:%04d", file, n) }

// PutFile stores data as the library file f (its ID set here): the chunks
// first, then the description, so that a file is never described before
// all of it is stored. A failure in between leaves chunks nothing names.
func (s *Store) PutFile(ctx context.Context, f *File, data []byte) error {
	f.ID = NewID()
	f.Size = int64(len(data))
	f.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	var docs []any
	for i := 0; i*chunkSize < len(data) || i == 0; i++ {
		end := min((i+1)*chunkSize, len(data))
		docs = append(docs, chunk{ID: chunkID(f.ID, i), FileID: f.ID, Data: data[i*chunkSize : end]})
	}
	f.Chunks = len(docs)
	for _, d := range docs { // one at a time: a batch of 20 MiB would exceed a message's limit
		if err := s.insertOne(ctx, s.chunks(), d); err != nil {
			return fmt.Errorf("store the file: %w", err)
		}
	}
	return s.insertOne(ctx, s.files(), f)
}

// FileByID returns a library file's description, or apperr.ErrNotFound.
func (s *Store) FileByID(ctx context.Context, id string) (*File, error) {
	var f File
	if err := s.files().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&f); err != nil {
		return nil, notFound(err, "file")
	}
	return &f, nil
}

// CopyFile writes the file's bytes to w, one chunk (read by _id) at a time.
func (s *Store) CopyFile(ctx context.Context, f *File, w io.Writer) error {
	for i := 0; i < f.Chunks; i++ {
		var c chunk
		if err := s.chunks().FindOne(ctx, bson.D{{Key: "_id", Value: chunkID(f.ID, i)}}).Decode(&c); err != nil {
			return notFound(err, "file chunk")
		}
		if _, err := w.Write(c.Data); err != nil {
			return err
		}
	}
	return nil
}

// DeleteFile removes a library file: its description first, so that it is
// never described while incomplete, then its chunks.
func (s *Store) DeleteFile(ctx context.Context, id string) error {
	if _, err := s.deleteOne(ctx, s.files(), bson.D{{Key: "_id", Value: id}}); err != nil {
		return err
	}
	_, err := s.deleteMany(ctx, s.chunks(), bson.D{{Key: "file_id", Value: id}})
	return err
}
