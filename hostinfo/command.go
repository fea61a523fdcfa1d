package hostinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Command bounds: ubus and logread answer in milliseconds on a router; a
// hung ubusd must not hold the report, nor a huge log fill its memory.
const (
	commandTimeout = 5 * time.Second
	maxOutput      = 1 << 20
	maxStderr      = 4 << 10
)

// ExecRunner runs name, found on $PATH, with a timeout of 5 s (or ctx's
// deadline, if sooner) and keeps at most 1 MiB of its output. It forks
// with syscall.ForkExec rather than os/exec, which would add 196 KB to the
// mips binary (measured with scripts/size-report.sh; budget 4.5 MB).
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, ok := lookPath(name)
	if !ok {
		return nil, fmt.Errorf("%s: not found", name)
	}
	start := time.Now()
	deadline := start.Add(commandTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	stdout, stdoutW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer stdout.Close()
	stderr, stderrW, err := pipe()
	if err != nil {
		stdoutW.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer stderr.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		stdoutW.Close()
		stderrW.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pid, err := syscall.ForkExec(path, append([]string{name}, args...), &syscall.ProcAttr{
		Env: os.Environ(), Files: []uintptr{devNull.Fd(), stdoutW.Fd(), stderrW.Fd()}})
	// The child holds its own copies; ours must go for EOF to come.
	devNull.Close()
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out, errOut := &capped{max: maxOutput}, &capped{max: maxStderr}
	stdout.SetReadDeadline(deadline)
	stderr.SetReadDeadline(deadline)
	errDone := make(chan error, 1)
	go func() { _, err := io.Copy(errOut, stderr); errDone <- err }()
	_, readErr := io.Copy(out, stdout)
	if e := <-errDone; readErr == nil {
		readErr = e
	}
	if readErr != nil {
		// Past the deadline (or a broken pipe): the command is cut off.
		syscall.Kill(pid, syscall.SIGKILL)
	}
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	switch {
	case errors.Is(readErr, os.ErrDeadlineExceeded):
		return out.Bytes(), fmt.Errorf("%s: no answer in %s", name, deadline.Sub(start).Round(time.Millisecond))
	case readErr != nil:
		return out.Bytes(), fmt.Errorf("%s: %w", name, readErr)
	case ws.Signaled():
		return out.Bytes(), fmt.Errorf("%s: killed by signal %d", name, ws.Signal())
	case ws.ExitStatus() != 0:
		if msg := strings.TrimSpace(errOut.String()); msg != "" {
			return out.Bytes(), fmt.Errorf("%s: exit status %d: %s", name, ws.ExitStatus(), firstLine(msg))
		}
		return out.Bytes(), fmt.Errorf("%s: exit status %d", name, ws.ExitStatus())
	}
	return out.Bytes(), nil
}

// pipe returns a pipe whose read end is non-blocking, so that the runtime
// poller can put a deadline on reads; the write end, the child's, blocks
// as a command expects.
func pipe() (r, w *os.File, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	if err := syscall.SetNonblock(p[0], true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}

// lookPath finds an executable file name in $PATH's absolute folders.
func lookPath(name string) (string, bool) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// ExecLookPath says whether name is an executable on $PATH.
func ExecLookPath(name string) bool {
	_, ok := lookPath(name)
	return ok
}

// capped keeps the first max bytes written and drops the rest, so a
// command never blocks on a full pipe and never fills memory.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) Bytes() []byte  { return c.buf.Bytes() }
func (c *capped) String() string { return c.buf.String() }

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
