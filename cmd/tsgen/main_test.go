package main

import (
	"strings"
	"testing"
)

// root is the repository's root, seen from this package's directory.
const root = "../.."

// TestTheCommittedContractIsWhatGoSays is the check that keeps the frontend
// in step with Go: a change to a bound method, a type it takes or returns,
// an event or a resolution preset fails here until tsgen is run again.
func TestTheCommittedContractIsWhatGoSays(t *testing.T) {
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := stale(root, files); err != nil {
		t.Fatal(err)
	}
}

func TestTheContract(t *testing.T) {
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	ts := string(files[tsFile])
	for _, tc := range []struct {
		name, want string
	}{
		{"every bound method is declared with its promise", "  SetResolution(preset: string): Promise<EngineSettings>;\n"},
		{"a method without a result resolves to void", "  CopyText(text: string): Promise<void>;\n"},
		{"the stream settings carry the processing chain", "  process: ProtocolChainItem[];\n"},
		{"an omitempty member is optional", "  params?: Record<string, number>;\n"},
		{"embedded structs are flattened", "export interface AppPushInfo {\n  enabled: boolean;\n"},
		{"time.Time is a string", "  since: string;\n"},
		{"events are named once, with their payloads", "  'stream:stats': AppStats;\n"},
		{"the resolution presets are Go's", "  '720p': [1280, 720],\n"},
		{"the source size comes last", "  '1080p': [1920, 1080],\n  source: [0, 0],\n"},
		{"Go doc comments come along", "/** SetFPS sets the frame rate cap. */\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(ts, tc.want) {
				t.Errorf("generated.ts lacks %q", tc.want)
			}
		})
	}
	for _, want := range []string{`"detectWidth"`, `"canny"`, `"SetChain"`, `"stats": "stream:stats"`, `"process": null`} {
		if !strings.Contains(string(files[jsonFile]), want) {
			t.Errorf("desktop-contract.json lacks %s", want)
		}
	}
}
