package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"framecast/app"
	"framecast/backend/config"
	"framecast/internal/cli"
	"framecast/internal/instance"
)

// runDesktop opens the window. Without a display it says so in one line and
// points to `framecast serve`, before anything starts.
func runDesktop(args []string, assets fs.FS) error {
	// First of all, as in every command: a signal closes the window and the
	// stream gracefully, even one that comes before the window is up.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fset := flag.NewFlagSet("framecast", flag.ContinueOnError)
	level := fset.String("log-level", "info", "log level: debug, info, warn or error")
	recordings := fset.String("recordings", "", "the folder the cameras set to record are recorded into, kept 7 days and at most 20GB (default ~/Videos/Framecast)")
	fset.Usage = func() { usage(fset.Output()) }
	if err := cli.ParseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("unknown command %q (try serve or bench)", fset.Arg(0))
	}
	if !app.HasDisplay() {
		return app.ErrNoDisplay
	}
	log, err := newLogger(*level)
	if err != nil {
		return err
	}
	dir, err := cli.ConfigDir()
	if err != nil {
		return err
	}
	if *recordings == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("no home folder for the recordings (give --recordings): %w", err)
		}
		*recordings = filepath.Join(home, "Videos", "Framecast")
	}
	// One window to a settings folder: a second start brings the open
	// window to the front and ends, having opened nothing.
	win, err := instance.Open(dir, log)
	if errors.Is(err, instance.ErrShown) {
		fmt.Printf("Framecast is already open (settings in %s): its window was brought to the front.\n", dir)
		return nil
	}
	if err != nil {
		return err
	}
	// Deferred first, run last: the folder is given up once all is written.
	defer func() {
		if err := win.Close(); err != nil {
			log.Warn("close the window socket", "err", err)
		}
	}()
	ls, err := desktopLinks(dir, log)
	if err != nil {
		return err
	}
	// After the app (deferred first, run last): the site and its viewers
	// are gone, their records written.
	defer ls.close(log)
	a, err := app.New(app.Deps{Store: config.Store{Path: filepath.Join(dir, config.FileName)}, Assets: assets, Log: log,
		TLSDir: filepath.Join(dir, "tls"), Recordings: desktopRecordings(*recordings), Links: ls.book, Audit: ls.audit})
	if err != nil {
		return err
	}
	win.OnShow(func() { app.Raise(a) })
	// As serve does: the links work whether or not anyone looks at the
	// window, and a terminal is where an operator copies from.
	fmt.Println("Framecast is open. Viewer links:")
	for _, u := range app.ViewerURLs(a) {
		fmt.Println("  " + u)
	}
	return app.Run(ctx, a, assets, icon)
}

// desktopLinks opens the Share panel's customer links, kept beside the
// settings in dir.
func desktopLinks(dir string, log *slog.Logger) (*linkState, error) {
	ls, err := loadLinks(dir, log)
	if err != nil {
		return nil, fmt.Errorf("customer links: %w", err)
	}
	return ls, nil
}

// desktopRecordings is how the desktop app keeps its recordings in dir:
// a week, and at most 20 GB, so a camera left recording never fills the
// disk.
func desktopRecordings(dir string) config.Recording {
	return config.Recording{Dir: dir, Keep: 7 * 24 * time.Hour, MaxSize: 20_000_000_000}
}
