package source

import (
	"testing"

	"framecast/internal/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }
