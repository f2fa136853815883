package store_test

import (
	"testing"

	"cocreate/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
