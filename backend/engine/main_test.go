package engine

import (
	"testing"

	"framecast/internal/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }
