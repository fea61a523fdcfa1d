package testbed

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The events odhcp6c passes to its state script as $2 (odhcp6c's
// README.md, "State Script"; src/odhcp6c.c, main).
const (
	Odhcp6cStarted   = "started"
	Odhcp6cBound     = "bound"    // stateful: an address or a prefix (or both) was bound
	Odhcp6cInformed  = "informed" // stateless: an Information-request was answered
	Odhcp6cUpdated   = "updated"  // a Renew/Rebind/Reconfigure brought news
	Odhcp6cRebound   = "rebound"  // a Rebind was answered (another server)
	Odhcp6cRAUpdated = "ra-updated"
	Odhcp6cUnbound   = "unbound" // the binding was lost; odhcp6c restarts
	Odhcp6cStopped   = "stopped"
)

// Odhcp6cLease is one entry of the ADDRESSES, PREFIXES or RA_ADDRESSES
// variables odhcp6c gives its script (src/script.c, entry_to_env):
// "addr/len,preferred,valid[,t1,t2][,class=IAID][,excluded=prefix/len]".
// Lifetimes are the seconds odhcp6c had left when it called the script.
type Odhcp6cLease struct {
	Prefix           netip.Prefix // an address is a /128
	Preferred, Valid uint32
	// T1 and T2 are present in odhcp6c from 2025 on (0 when absent).
	T1, T2 uint32
	// Class is the IAID of the IA_PD the prefix came in, written only when
	// it is not 1; Excluded is a PD_EXCLUDE prefix (RFC 6603).
	Class    string
	Excluded netip.Prefix
}

// Odhcp6cRoute is one RA_ROUTES entry: "addr/len,gateway,valid,metric".
type Odhcp6cRoute struct {
	Prefix  netip.Prefix
	Gateway netip.Addr // invalid for on-link routes
	Valid   uint32
	Metric  uint32
}

// Odhcp6cRecord is one call of odhcp6c's state script, as the testbed's
// script wrote it down.
type Odhcp6cRecord struct {
	// Time is when the script ran. odhcp6c may hold a call back: it runs
	// "bound" up to 10 s late unless another event comes first
	// (src/odhcp6c.c, script_sync_delay; src/script.c, script_call), so
	// Odhcp6c.BoundAfter, not this, is when it bound.
	Time  time.Time
	Event string

	Addresses   []Odhcp6cLease // ADDRESSES: from IA_NA (only while bound)
	Prefixes    []Odhcp6cLease // PREFIXES: from IA_PD (only while bound)
	RAAddresses []Odhcp6cLease // RA_ADDRESSES: SLAAC addresses from autonomous PIOs
	RARoutes    []Odhcp6cRoute // RA_ROUTES
	RDNSS       []netip.Addr   // RDNSS: DNS servers from DHCPv6
	RADNS       []netip.Addr   // RA_DNS: DNS servers from RAs
	Server      []netip.Addr   // SERVER: the DHCPv6 server's address
	Domains     []string       // DOMAINS: search list from DHCPv6
	Passthru    string         // PASSTHRU: the last Reply's options, hex

	// Errors lists values the testbed could not parse; empty normally.
	Errors []string
}

// odhcp6cScriptVars are the variables the script writes down, in order.
var odhcp6cScriptVars = []string{"ADDRESSES", "PREFIXES", "RA_ADDRESSES", "RA_ROUTES", "RDNSS", "RA_DNS",
	"SERVER", "DOMAINS", "PASSTHRU"}

// Odhcp6c is OpenWrt's odhcp6c running in a Bed's CPE namespace the way
// netifd runs it (`odhcp6c -s SCRIPT <args> IFACE`), with a state script
// that only records what odhcp6c tells it: odhcp6c itself configures
// nothing (netifd does that from the script), so the script is its only
// side effect and nothing of the host's is written.
type Odhcp6c struct {
	// Args are the netifd arguments the test gave (e.g. -P0 -t120);
	// Command is the whole command line run in the CPE namespace.
	Args    []string
	Command []string
	// Hostname is what gethostname() returns in the CPE namespace, which
	// shares the host's UTS namespace: odhcp6c sends it in its Client
	// FQDN option unless -f (src/dhcpv6.c, init_dhcpv6).
	Hostname string

	Dir         string // this instance's folder under the Bed's
	ScriptPath  string
	RecordsPath string // what the script wrote
	LogPath     string // odhcp6c's stderr (-e -l7), each line stamped
	PIDPath     string

	// Started is when odhcp6c was started.
	Started time.Time
	Proc    *Process

	log *stampedLog
}

var odhcp6cSeq atomic.Int64

// StartOdhcp6c runs the peers' odhcp6c (NeedPeers) on the CPE veth with
// args, plus -s (the recording script), -e -l7 (log to stderr at debug
// level) and -p (a pid file under the Bed's folder), and stops it when the
// test ends. On SIGTERM odhcp6c sends a Release for what it holds unless
// args has -k.
func (b *Bed) StartOdhcp6c(t testing.TB, args ...string) *Odhcp6c {
	t.Helper()
	bin := NeedPeers(t).Odhcp6c
	n := odhcp6cSeq.Add(1)
	o := &Odhcp6c{Args: slices.Clone(args), Dir: filepath.Join(b.Dir, fmt.Sprintf("odhcp6c%d", n))}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	o.ScriptPath = filepath.Join(o.Dir, "script.sh")
	o.RecordsPath = filepath.Join(o.Dir, "events.txt")
	o.LogPath = filepath.Join(o.Dir, "odhcp6c.log")
	o.PIDPath = filepath.Join(o.Dir, "odhcp6c.pid")
	if err := os.WriteFile(o.ScriptPath, []byte(odhcp6cScript(o.RecordsPath)), 0o755); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	o.Hostname = host
	logFile, err := os.Create(o.LogPath)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	t.Cleanup(func() { logFile.Close() })
	o.log = &stampedLog{file: logFile}

	o.Command = append([]string{bin, "-s", o.ScriptPath, "-e", "-l7", "-p", o.PIDPath}, args...)
	o.Command = append(o.Command, b.CPEIf)
	cmd := b.ExecCPE(context.Background(), o.Command[0], o.Command[1:]...)
	cmd.Stdout, cmd.Stderr = o.log, o.log
	o.Started = time.Now()
	o.log.start = o.Started
	o.Proc = b.Start(t, fmt.Sprintf("odhcp6c%d", n), cmd)
	t.Cleanup(func() { o.Stop() })
	return o
}

// odhcp6cScript is a state script that appends one record per call:
//
//	@event UNIX-NANOSECONDS EVENT
//	NAME=VALUE (one line per variable in odhcp6cScriptVars)
//	@end
//
// The record is built first and appended with one write, so a record cut
// short by odhcp6c's SIGTERM to a script still running (src/script.c,
// script_call) cannot interleave with the next.
func odhcp6cScript(records string) string {
	var s strings.Builder
	s.WriteString("#!/bin/sh\n# v6diag testbed: record what odhcp6c passes, configure nothing.\n")
	s.WriteString("rec=\"@event $(date +%s%N) $2\n")
	for _, v := range odhcp6cScriptVars {
		fmt.Fprintf(&s, "%s=$%s\n", v, v)
	}
	fmt.Fprintf(&s, "\"\nprintf '%%s@end\\n' \"$rec\" >> '%s'\n", records)
	return s.String()
}

// Records parses what the script has written so far, in order.
func (o *Odhcp6c) Records() ([]Odhcp6cRecord, error) {
	data, err := os.ReadFile(o.RecordsPath)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("testbed: odhcp6c records: %w", err)
	}
	return ParseOdhcp6cRecords(data)
}

// ParseOdhcp6cRecords parses the records odhcp6cScript writes. A record
// without its @end line (the script was killed mid-write) is dropped.
func ParseOdhcp6cRecords(data []byte) ([]Odhcp6cRecord, error) {
	var out []Odhcp6cRecord
	var cur *Odhcp6cRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "@event "):
			f := strings.Fields(line)
			if len(f) != 3 {
				return out, fmt.Errorf("testbed: odhcp6c records: bad line %q", line)
			}
			ns, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return out, fmt.Errorf("testbed: odhcp6c records: bad time in %q: %w", line, err)
			}
			cur = &Odhcp6cRecord{Time: time.Unix(0, ns), Event: f[2]}
		case line == "@end":
			if cur != nil {
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			name, value, ok := strings.Cut(line, "=")
			if ok {
				cur.set(name, value)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("testbed: odhcp6c records: %w", err)
	}
	return out, nil
}

func (r *Odhcp6cRecord) set(name, value string) {
	var err error
	switch name {
	case "ADDRESSES":
		r.Addresses, err = parseList(value, ParseOdhcp6cLease)
	case "PREFIXES":
		r.Prefixes, err = parseList(value, ParseOdhcp6cLease)
	case "RA_ADDRESSES":
		r.RAAddresses, err = parseList(value, ParseOdhcp6cLease)
	case "RA_ROUTES":
		r.RARoutes, err = parseList(value, parseOdhcp6cRoute)
	case "RDNSS":
		r.RDNSS, err = parseList(value, netip.ParseAddr)
	case "RA_DNS":
		r.RADNS, err = parseList(value, netip.ParseAddr)
	case "SERVER":
		r.Server, err = parseList(value, netip.ParseAddr)
	case "DOMAINS":
		if f := strings.Fields(value); len(f) > 0 {
			r.Domains = f
		}
	case "PASSTHRU":
		r.Passthru = value
	}
	if err != nil {
		r.Errors = append(r.Errors, fmt.Sprintf("%s=%q: %v", name, value, err))
	}
}

// ParseOdhcp6cLease parses one ADDRESSES/PREFIXES entry (see Odhcp6cLease).
func ParseOdhcp6cLease(s string) (Odhcp6cLease, error) {
	fields := strings.Split(s, ",")
	var l Odhcp6cLease
	var err error
	if l.Prefix, err = netip.ParsePrefix(fields[0]); err != nil {
		return l, err
	}
	nums := []*uint32{&l.Preferred, &l.Valid, &l.T1, &l.T2}
	for i, f := range fields[1:] {
		if key, value, ok := strings.Cut(f, "="); ok {
			switch key {
			case "class":
				l.Class = value
			case "excluded":
				if l.Excluded, err = netip.ParsePrefix(value); err != nil {
					return l, err
				}
			}
			continue
		}
		if i >= len(nums) {
			return l, fmt.Errorf("unexpected field %q", f)
		}
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return l, err
		}
		*nums[i] = uint32(v)
	}
	if len(fields) < 3 {
		return l, fmt.Errorf("%q has no lifetimes", s)
	}
	return l, nil
}

// parseList parses a space-separated list of the script's environment.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Fields(s) {
		v, err := parse(f)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// parseOdhcp6cRoute parses one RA_ROUTES entry (see Odhcp6cRoute).
func parseOdhcp6cRoute(s string) (Odhcp6cRoute, error) {
	var r Odhcp6cRoute
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return r, fmt.Errorf("route %q: want 4 fields", s)
	}
	var err error
	if r.Prefix, err = netip.ParsePrefix(parts[0]); err != nil {
		return r, err
	}
	if parts[1] != "" {
		if r.Gateway, err = netip.ParseAddr(parts[1]); err != nil {
			return r, err
		}
	}
	valid, err := strconv.ParseUint(parts[2], 10, 32)
	if err != nil {
		return r, err
	}
	metric, err := strconv.ParseUint(parts[3], 10, 32)
	if err != nil {
		return r, err
	}
	r.Valid, r.Metric = uint32(valid), uint32(metric)
	return r, nil
}

// WaitEvent waits up to timeout for the script to record one of events and
// returns the first such record. ok is false when none came in time (or
// odhcp6c exited first).
func (o *Odhcp6c) WaitEvent(timeout time.Duration, events ...string) (rec Odhcp6cRecord, ok bool, err error) {
	deadline := time.Now().Add(timeout)
	for {
		recs, err := o.Records()
		if err != nil {
			return Odhcp6cRecord{}, false, err
		}
		for _, r := range recs {
			if slices.Contains(events, r.Event) {
				return r, true, nil
			}
		}
		if o.Proc.Exited() {
			return Odhcp6cRecord{}, false, fmt.Errorf("testbed: odhcp6c exited: %v\n%s", o.Proc.Wait(), o.Log())
		}
		if time.Now().After(deadline) {
			return Odhcp6cRecord{}, false, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The notices odhcp6c logs the moment it binds (src/odhcp6c.c, main, case
// DHCPV6_BOUND), before the script's possibly delayed "bound" or
// "informed".
const (
	odhcp6cStatefulNotice  = "entering stateful-mode on "
	odhcp6cStatelessNotice = "entering stateless-mode on "
)

// BoundAfter is the time from start to odhcp6c's first binding, read from
// its log: stateful (an address or prefix: the script's "bound") or
// stateless (an Information-request answered: "informed"). ok is false
// while it has not bound.
func (o *Odhcp6c) BoundAfter() (d time.Duration, stateful, ok bool) {
	for _, l := range o.log.lines() {
		switch {
		case strings.Contains(l.text, odhcp6cStatefulNotice):
			return l.after, true, true
		case strings.Contains(l.text, odhcp6cStatelessNotice):
			return l.after, false, true
		}
	}
	return 0, false, false
}

// Log returns odhcp6c's stderr so far, each line prefixed with the time
// since start ("+1.234s").
func (o *Odhcp6c) Log() string {
	var s strings.Builder
	for _, l := range o.log.lines() {
		fmt.Fprintf(&s, "+%.3fs %s\n", l.after.Seconds(), l.text)
	}
	return s.String()
}

// Renew sends SIGUSR1, as netifd's renew handler does
// (proto_dhcpv6_renew): a bound odhcp6c sends a Renew at once, and its
// script is told "updated" when the Reply brings news (src/odhcp6c.c,
// main, DHCPV6_BOUND_PROCESSING and DHCPV6_RENEW_REPLY).
func (o *Odhcp6c) Renew() error {
	if err := o.Proc.Cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return fmt.Errorf("testbed: odhcp6c renew: %w", err)
	}
	return nil
}

// Stop sends SIGTERM and waits for odhcp6c to exit (a Release first,
// unless -k; then the script's "stopped"). It is idempotent.
func (o *Odhcp6c) Stop() { o.Proc.Stop(5 * time.Second) }

// stampedLog collects a process's output lines with the time each arrived,
// and copies them, stamped, to a file.
type stampedLog struct {
	start time.Time
	file  io.Writer

	mu      sync.Mutex
	partial []byte
	stamped []stampedLine
}

type stampedLine struct {
	after time.Duration
	text  string
}

func (l *stampedLog) Write(p []byte) (int, error) {
	now := time.Since(l.start)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := stampedLine{after: now, text: string(l.partial[:i])}
		l.partial = l.partial[i+1:]
		l.stamped = append(l.stamped, line)
		fmt.Fprintf(l.file, "+%.3fs %s\n", line.after.Seconds(), line.text)
	}
	return len(p), nil
}

func (l *stampedLog) lines() []stampedLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.stamped)
}
