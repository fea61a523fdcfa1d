package testbed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// DHCPv6Filter is the tcpdump filter an ISP engineer asks a user for: RS,
// RA and the rest of ICMPv6, and DHCPv6 both ways.
const DHCPv6Filter = "icmp6 or port 546 or port 547"

// Tcpdump is a running tcpdump writing a pcap file.
type Tcpdump struct {
	Proc    *Process
	Path    string // the pcap file
	ErrPath string // tcpdump's stderr
}

var tcpdumpSeq atomic.Int64

// StartTcpdump captures DHCPv6Filter on the CPE veth into Dir/<name>.pcap,
// each packet handed over and written as it comes (--immediate-mode, -U),
// and returns once tcpdump listens. Without --immediate-mode libpcap's
// ring hands packets over in blocks, and the last ones are lost when
// tcpdump is stopped.
// It is stopped when the test ends; Stop stops it earlier (and flushes).
func (b *Bed) StartTcpdump(t testing.TB, name string) *Tcpdump {
	t.Helper()
	NeedBinary(t, "tcpdump", "apt-get install tcpdump")
	n := tcpdumpSeq.Add(1)
	d := &Tcpdump{Path: filepath.Join(b.Dir, name+".pcap"), ErrPath: filepath.Join(b.Dir, fmt.Sprintf("tcpdump%d.err", n))}
	errFile, err := os.Create(d.ErrPath)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	defer errFile.Close() // the child keeps its own descriptor
	// -Z root: Debian's tcpdump would drop to its own user, which cannot
	// write into the test's private folder.
	cmd := b.ExecCPE(context.Background(), "tcpdump", "-Z", "root", "-n", "-U", "--immediate-mode", "-i", b.CPEIf, "-w", d.Path, DHCPv6Filter)
	cmd.Stdout, cmd.Stderr = errFile, errFile
	d.Proc = b.Start(t, fmt.Sprintf("tcpdump%d", n), cmd)
	t.Cleanup(d.Stop)
	if out, err := WaitFile(d.ErrPath, "listening on", 10*time.Second); err != nil {
		t.Fatalf("testbed: tcpdump: %v\n%s", err, out)
	}
	return d
}

// Stop ends the capture; the file is complete afterwards. Idempotent.
func (d *Tcpdump) Stop() { d.Proc.Stop(5 * time.Second) }
