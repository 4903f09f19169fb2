package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the line `--version` prints: the program, its version and
// the commit it was built from. The Makefile sets both with -ldflags
// "-X main.version=… -X main.commit=…"; without, the version is "dev" and
// the commit is the one the Go toolchain recorded (vcs.revision), if it did.
func Version(prog, version, commit string) string {
	if version == "" {
		version = "dev"
	}
	modified, goVersion := false, runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok && commit == "" {
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified {
		commit += " with local changes"
	}
	return fmt.Sprintf("%s %s (commit %s, %s)", prog, version, commit, goVersion)
}

// IsVersion reports whether arg asks for the version: --version, -version
// or version.
func IsVersion(arg string) bool {
	return arg == "--version" || arg == "-version" || arg == "version"
}

// IsHelp reports whether arg asks for help: --help, -help, -h or help.
func IsHelp(arg string) bool {
	return arg == "--help" || arg == "-help" || arg == "-h" || arg == "help"
}
