package hostinfo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Host is what the router says about itself. Empty strings mean the fact
// was not available.
type Host struct {
	// Model is /tmp/sysinfo/model, e.g. "TP-Link Archer C7 v5".
	Model string
	// BoardName is /tmp/sysinfo/board_name, e.g. "tplink,archer-c7-v5".
	BoardName string
	// Release is DISTRIB_DESCRIPTION of /etc/openwrt_release, e.g.
	// "OpenWrt 23.05.3 r23809-234f1a2efa"; Target and Arch are
	// DISTRIB_TARGET and DISTRIB_ARCH.
	Release string
	Target  string
	Arch    string
	// Kernel is /proc/sys/kernel/osrelease, e.g. "5.15.150".
	Kernel string
	// KernelBuilt is the build date in /proc/version ("#0 SMP Mon Mar 4
	// 12:00:00 2024"), zero if it could not be read. A router whose clock
	// reads earlier than this has not set its clock.
	KernelBuilt time.Time
}

// Empty reports whether no fact at all was found.
func (h Host) Empty() bool {
	return h.Model == "" && h.BoardName == "" && h.Release == "" && h.Kernel == ""
}

// Read gathers the facts under root. Missing files are not errors; an
// unreadable one (permissions, I/O) is returned with the facts read so far.
func Read(root fs.FS) (Host, error) {
	var h Host
	var errs []error
	read := func(name string) string {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("hostinfo: read /%s: %w", name, err))
			}
			return ""
		}
		return string(b)
	}
	h.Model = clean(read("tmp/sysinfo/model"))
	h.BoardName = clean(read("tmp/sysinfo/board_name"))
	rel := parseShellVars(read("etc/openwrt_release"))
	h.Release = rel["DISTRIB_DESCRIPTION"]
	if h.Release == "" && rel["DISTRIB_RELEASE"] != "" {
		h.Release = strings.TrimSpace(rel["DISTRIB_ID"] + " " + rel["DISTRIB_RELEASE"] + " " + rel["DISTRIB_REVISION"])
	}
	h.Target, h.Arch = rel["DISTRIB_TARGET"], rel["DISTRIB_ARCH"]
	h.Kernel = clean(read("proc/sys/kernel/osrelease"))
	h.KernelBuilt = kernelBuildTime(read("proc/version"))
	return h, errors.Join(errs...)
}

// clean keeps the first line, trimmed, and bounds its length: these files
// are short, and a report must not carry whatever a broken one holds.
func clean(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

// parseShellVars reads NAME='value' lines as /etc/openwrt_release writes
// them (single or double quotes, or none).
func parseShellVars(s string) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		name, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || name == "" || strings.ContainsAny(name, " \t#") {
			continue
		}
		if len(val) >= 2 && (val[0] == '\'' || val[0] == '"') && val[len(val)-1] == val[0] {
			val = val[1 : len(val)-1]
		}
		vars[name] = clean(val)
	}
	return vars
}

// kernelBuildTime finds the build date at the end of /proc/version:
// "Linux version 5.15.150 (builder@buildhost) (...) #0 SMP Mon Mar 4
// 12:00:00 2024". The time zone, when present, sits before the year.
func kernelBuildTime(s string) time.Time {
	s, _, _ = strings.Cut(s, "\n")
	f := strings.Fields(s)
	for i := range f {
		if len(f) < i+5 {
			break
		}
		if _, ok := weekdays[f[i]]; !ok {
			continue
		}
		rest := f[i:]
		// "Mon Jan _2 15:04:05 2006", or with a zone name before the
		// year, read as UTC as time.Parse reads an unknown zone name.
		// Read by hand: time.Parse costs the mips build its layout
		// machinery (scripts/size-report.sh).
		for n := range 2 {
			if len(rest) < 5+n {
				continue
			}
			if t, ok := kernelDate(rest[1], rest[2], rest[3], rest[4+n]); ok {
				return t
			}
		}
	}
	return time.Time{}
}

var months = map[string]time.Month{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// kernelDate reads "Jan", "2", "15:04:05", "2006" as a UTC time.
func kernelDate(month, day, clock, year string) (time.Time, bool) {
	m, ok := months[month]
	if !ok {
		return time.Time{}, false
	}
	if len(clock) != 8 || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	h, errH := strconv.Atoi(clock[0:2])
	mi, errM := strconv.Atoi(clock[3:5])
	sec, errS := strconv.Atoi(clock[6:8])
	if errH != nil || errM != nil || errS != nil {
		return time.Time{}, false
	}
	d, errD := strconv.Atoi(day)
	y, errY := strconv.Atoi(year)
	if errD != nil || errY != nil || d < 1 || d > 31 || len(year) != 4 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 Feb and the like
	}
	return t, true
}

var weekdays = map[string]struct{}{"Mon": {}, "Tue": {}, "Wed": {}, "Thu": {}, "Fri": {}, "Sat": {}, "Sun": {}}

// VLAN is an 802.1Q VLAN device's tag: its id and the priority (PCP) its
// egress map gives ordinary traffic (skb priority 0).
type VLAN struct {
	ID       int
	Priority int
	// Parent is the device the tag is added on, e.g. "eth0".
	Parent string
}

// ReadVLAN reads /proc/net/vlan/<device>, which the kernel's 8021q module
// writes for every VLAN device (eth0.2, wan.7). ok is false when the
// device is not a VLAN device, or the file is missing.
func ReadVLAN(root fs.FS, device string) (VLAN, bool) {
	if device == "" || strings.ContainsAny(device, "/") || device == "." || device == ".." {
		return VLAN{}, false
	}
	b, err := fs.ReadFile(root, "proc/net/vlan/"+device)
	if err != nil {
		return VLAN{}, false
	}
	return parseVLAN(b)
}

// parseVLAN reads the kernel's format:
//
//	eth0.7  VID: 7	 REF : 1	 dev->priv_flags: 1
//	...
//	Device: eth0
//	INGRESS priority mappings: 0:0  1:0 ...
//	 EGRESS priority mappings: 0:1
func parseVLAN(b []byte) (VLAN, bool) {
	v := VLAN{}
	found := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "VID:"); i >= 0 && !found {
			f := strings.Fields(line[i+len("VID:"):])
			if len(f) > 0 {
				if id, err := strconv.Atoi(f[0]); err == nil && id >= 0 && id < 4096 {
					v.ID, found = id, true
				}
			}
			continue
		}
		t := strings.TrimSpace(line)
		if p, ok := strings.CutPrefix(t, "Device:"); ok {
			v.Parent = clean(p)
			continue
		}
		if m, ok := strings.CutPrefix(t, "EGRESS priority mappings:"); ok {
			for _, pair := range strings.Fields(m) {
				from, to, ok := strings.Cut(pair, ":")
				if !ok || from != "0" {
					continue
				}
				if pcp, err := strconv.Atoi(to); err == nil && pcp >= 0 && pcp < 8 {
					v.Priority = pcp
				}
			}
		}
	}
	return v, found
}
