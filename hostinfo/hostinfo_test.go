package hostinfo

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRead(t *testing.T) {
	root := fstest.MapFS{
		"tmp/sysinfo/model":      {Data: []byte("TP-Link Archer C7 v5\n")},
		"tmp/sysinfo/board_name": {Data: []byte("tplink,archer-c7-v5\n")},
		"etc/openwrt_release": {Data: []byte(`DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='23.05.3'
DISTRIB_REVISION='r23809-234f1a2efa'
DISTRIB_TARGET='ath79/generic'
DISTRIB_ARCH='mips_24kc'
DISTRIB_DESCRIPTION='OpenWrt 23.05.3 r23809-234f1a2efa'
DISTRIB_TAINTS=''
`)},
		"proc/sys/kernel/osrelease": {Data: []byte("5.15.150\n")},
		"proc/version":              {Data: []byte("Linux version 5.15.150 (builder@buildhost) (mips-openwrt-linux-musl-gcc (OpenWrt GCC 12.3.0 r23809-234f1a2efa) 12.3.0, GNU ld (GNU Binutils) 2.40.0) #0 Fri Mar 22 22:09:42 2024\n")},
	}
	got, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	want := Host{Model: "TP-Link Archer C7 v5", BoardName: "tplink,archer-c7-v5", Release: "OpenWrt 23.05.3 r23809-234f1a2efa",
		Target: "ath79/generic", Arch: "mips_24kc", Kernel: "5.15.150", KernelBuilt: time.Date(2024, 3, 22, 22, 9, 42, 0, time.UTC)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestReadPlainLinux: a machine that is not OpenWrt gives only the kernel,
// and no error.
func TestReadPlainLinux(t *testing.T) {
	root := fstest.MapFS{
		"proc/sys/kernel/osrelease": {Data: []byte("6.1.0-18-amd64\n")},
		"proc/version":              {Data: []byte("Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n")},
	}
	got, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kernel != "6.1.0-18-amd64" || got.Model != "" || got.Release != "" {
		t.Errorf("got %+v", got)
	}
	// Debian's /proc/version has no weekday date: no build time is better
	// than a wrong one.
	if !got.KernelBuilt.IsZero() {
		t.Errorf("KernelBuilt %v, want zero", got.KernelBuilt)
	}
	if (Host{}).Empty() != true || got.Empty() {
		t.Errorf("Empty() wrong")
	}
}

func TestKernelBuildTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"Linux version 5.4.0 (x@y) (gcc) #0 SMP Mon Oct 14 22:55:13 2019", time.Date(2019, 10, 14, 22, 55, 13, 0, time.UTC)},
		{"Linux version 6.6.0 (x@y) (gcc) #1 SMP PREEMPT Tue Jan  2 03:04:05 UTC 2024", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"Linux version 6.6.0", time.Time{}},
		{"", time.Time{}},
		{"Mon", time.Time{}},
	} {
		if got := kernelBuildTime(tc.in); !got.Equal(tc.want) {
			t.Errorf("kernelBuildTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestReadVLAN(t *testing.T) {
	root := fstest.MapFS{
		"proc/net/vlan/eth0.7": {Data: []byte("eth0.7  VID: 7\t REF : 1\t dev->priv_flags: 1001\n" +
			"         total frames received            0\n" +
			"Device: eth0\n" +
			"INGRESS priority mappings: 0:0  1:0  2:0  3:0  4:0  5:0  6:0 7:0\n" +
			" EGRESS priority mappings: 0:1 \n")},
		"proc/net/vlan/eth0.2": {Data: []byte("eth0.2  VID: 2\t REF : 1\t dev->priv_flags: 1001\nDevice: eth0\n EGRESS priority mappings: \n")},
	}
	for _, tc := range []struct {
		dev  string
		want VLAN
		ok   bool
	}{
		{"eth0.7", VLAN{ID: 7, Priority: 1, Parent: "eth0"}, true},
		{"eth0.2", VLAN{ID: 2, Parent: "eth0"}, true},
		{"eth1", VLAN{}, false},
		{"../../etc/passwd", VLAN{}, false},
		{"", VLAN{}, false},
	} {
		got, ok := ReadVLAN(root, tc.dev)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ReadVLAN(%q) = %+v, %v; want %+v, %v", tc.dev, got, ok, tc.want, tc.ok)
		}
	}
}

// TestReadUnreadable: an unreadable file is reported, the rest still read.
func TestReadUnreadable(t *testing.T) {
	root := errFS{fstest.MapFS{"proc/sys/kernel/osrelease": {Data: []byte("5.10\n")}}}
	got, err := Read(root)
	if err == nil || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("err = %v, want permission error", err)
	}
	if got.Kernel != "5.10" {
		t.Errorf("Kernel %q, want 5.10", got.Kernel)
	}
}

// errFS denies /tmp/sysinfo/model.
type errFS struct{ fstest.MapFS }

func (e errFS) Open(name string) (fs.File, error) {
	if name == "tmp/sysinfo/model" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return e.MapFS.Open(name)
}

func (e errFS) ReadFile(name string) ([]byte, error) {
	if name == "tmp/sysinfo/model" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return e.MapFS.ReadFile(name)
}

func FuzzParseVLAN(f *testing.F) {
	f.Add([]byte("eth0.7  VID: 7\nDevice: eth0\n EGRESS priority mappings: 0:1\n"))
	f.Add([]byte("VID: 99999"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, ok := parseVLAN(b)
		if ok && (v.ID < 0 || v.ID > 4095 || v.Priority < 0 || v.Priority > 7) {
			t.Errorf("out of range: %+v", v)
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("DISTRIB_RELEASE='23.05.3'\nDISTRIB_ID=\"OpenWrt\"\n"), []byte("Linux version 5.15 #0 Fri Mar 22 22:09:42 2024"))
	f.Add([]byte("=\n'\n"), []byte("Mon Mon Mon Mon Mon"))
	f.Fuzz(func(t *testing.T, release, version []byte) {
		h, err := Read(fstest.MapFS{"etc/openwrt_release": {Data: release}, "proc/version": {Data: version}})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Release) > 3*128+2 || len(h.Target) > 128 {
			t.Errorf("unbounded field: %+v", h)
		}
	})
}
