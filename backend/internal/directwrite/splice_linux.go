//go:build linux

package directwrite

import (
	"sync"
	"syscall"
)

// Splicer writes frames to viewers' sockets without copying them
// once per viewer: a frame is written once into a pipe (master), and each
// viewer gets it by tee(2) into a scratch pipe and splice(2) into its
// socket, which only pass references to the pipe's pages: the kernel's
// copy of the frame per viewer leaves the relay's CPU (what that saves is
// measured in docs/PERFORMANCE.md). The pages belong to the kernel, so no
// Go memory is shared with a socket. One per stream (Handler); the zero
// value is ready, and whatever fails falls back to a plain write.
type Splicer struct {
	mu      sync.Mutex
	opened  bool
	closed  bool
	master  [2]int // holds the frame key, whole; -1 when none
	scratch [2]int // empty between writes
	room    int    // what scratch holds
	key     *byte  // the first byte of the frame in master
	held    []byte // that frame, kept alive so its address cannot be reused
	discard []byte // what a full socket left in scratch is read into
}

// maxSplice is the largest frame sent by splice: the pipe size an
// unprivileged process may set by default (/proc/sys/fs/pipe-max-size).
// Pipes are made only as big as the frames (64 KiB, Linux's default, holds
// a 1280×720 JPEG), as the pipe memory a user may have is limited too.
const maxSplice = 1 << 20

const (
	fSetPipeSize    = 1031 // F_SETPIPE_SZ
	defaultPipeSize = 64 << 10
)

// write writes p to the non-blocking socket fd once, as writeFD does: the
// bytes the socket took, or -1 when it took none (full or broken).
func (s *Splicer) write(fd uintptr, p []byte) int {
	if len(p) == 0 || len(p) > maxSplice {
		return writeFD(fd, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready(p) {
		return writeFD(fd, p)
	}
	n, err := syscall.Tee(s.master[0], s.scratch[1], len(p), spliceNonblock)
	if err != nil || int(n) != len(p) {
		s.drain()
		return writeFD(fd, p)
	}
	m, err := syscall.Splice(s.scratch[0], nil, int(fd), nil, len(p), spliceMove|spliceNonblock)
	if m < int64(len(p)) {
		s.drain() // the socket takes the rest from the gate (p[m:])
	}
	if err != nil || m <= 0 {
		return -1
	}
	return int(m)
}

const (
	spliceMove     = 1 // SPLICE_F_MOVE
	spliceNonblock = 2 // SPLICE_F_NONBLOCK
)

// ready makes sure the pipes are open and master holds p; s.mu is held.
func (s *Splicer) ready(p []byte) bool {
	if s.closed {
		return false
	}
	if !s.opened {
		if newPipe(&s.scratch) != nil {
			s.closed = true // never try again
			return false
		}
		s.master, s.room = [2]int{-1, -1}, defaultPipeSize
		s.opened = true
	}
	if s.room < len(p) {
		if setPipeSize(s.scratch[0], len(p)) != nil {
			return false
		}
		s.room = pipeSize(len(p))
	}
	if s.key == &p[0] && len(s.held) == len(p) {
		return true
	}
	s.closeMaster()
	if newPipe(&s.master) != nil {
		return false
	}
	if len(p) > defaultPipeSize && setPipeSize(s.master[0], len(p)) != nil {
		s.closeMaster()
		return false
	}
	if n, err := syscall.Write(s.master[1], p); err != nil || n != len(p) {
		s.closeMaster()
		return false
	}
	s.key, s.held = &p[0], p
	return true
}

// newPipe opens a non-blocking pipe.
func newPipe(fds *[2]int) error {
	return syscall.Pipe2(fds[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC)
}

// setPipeSize makes the pipe of fd hold at least n bytes.
func setPipeSize(fd, n int) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), fSetPipeSize, uintptr(pipeSize(n))); errno != 0 {
		return errno
	}
	return nil
}

// pipeSize is n rounded up to a power of two, as Linux sizes pipes.
func pipeSize(n int) int {
	size := defaultPipeSize
	for size < n {
		size *= 2
	}
	return size
}

func (s *Splicer) closeMaster() {
	if s.master[0] >= 0 {
		_ = syscall.Close(s.master[0])
		_ = syscall.Close(s.master[1])
	}
	s.master, s.key, s.held = [2]int{-1, -1}, nil, nil
}

// drain empties scratch of what a socket did not take.
func (s *Splicer) drain() {
	if s.discard == nil {
		s.discard = make([]byte, 64<<10)
	}
	for {
		if n, err := syscall.Read(s.scratch[0], s.discard); err != nil || n <= 0 {
			return
		}
	}
}

// Close closes the pipes; later writes are plain writes.
func (s *Splicer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opened && !s.closed {
		s.closeMaster()
		_ = syscall.Close(s.scratch[0])
		_ = syscall.Close(s.scratch[1])
	}
	s.closed = true
}
