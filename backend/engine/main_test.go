package engine

import (
	"testing"

	"framecast/backend/internal/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }
