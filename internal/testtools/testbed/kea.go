package testbed

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// KeaConfig is the DHCPv6 service Kea offers on the ISP veth. Zero lifetimes
// take the defaults noted on each field.
type KeaConfig struct {
	// Subnet is the on-link subnet; zero means ISPAddress's /64.
	Subnet netip.Prefix
	// AddressPool is a Kea pool for IA_NA, either "first-last" or a prefix,
	// e.g. "2001:db8:1::100-2001:db8:1::1ff". Empty: no IA_NA pool.
	AddressPool string
	// PDPrefix/PDDelegatedLen configure a prefix-delegation pool, e.g.
	// 2001:db8:8000::/36 delegating /48s. Invalid PDPrefix: no PD pool.
	PDPrefix       netip.Prefix
	PDDelegatedLen int

	Renew     time.Duration // T1; 0: 1000 s
	Rebind    time.Duration // T2; 0: 2000 s
	Preferred time.Duration // 0: 3000 s
	Valid     time.Duration // 0: 4000 s

	RapidCommit bool
	DNSServers  []netip.Addr // dns-servers option, if any

	// Mutate, if set, may edit the generated configuration (the value under
	// the top-level "Dhcp6" key) before it is written.
	Mutate func(dhcp6 map[string]any)
}

// Kea is a running kea-dhcp6.
type Kea struct {
	Proc       *Process
	ConfigPath string
	LogPath    string
	LeasePath  string
	Dir        string // this instance's state directory (pid, lock, server-id)
}

var keaSeq atomic.Int64

// Log returns Kea's log so far.
func (k *Kea) Log() string {
	data, _ := os.ReadFile(k.LogPath)
	return string(data)
}

// WaitLog waits until Kea's log contains substr and returns the log.
func (k *Kea) WaitLog(t testing.TB, substr string, timeout time.Duration) string {
	t.Helper()
	log, err := WaitFile(k.LogPath, substr, timeout)
	if err != nil {
		t.Fatalf("%v\nKea log:\n%s", err, log)
	}
	return log
}

// LeaseType is the memfile lease_type column.
type LeaseType int

// Lease types as Kea writes them.
const (
	LeaseNA LeaseType = 0
	LeaseTA LeaseType = 1
	LeasePD LeaseType = 2
)

func (lt LeaseType) String() string {
	switch lt {
	case LeaseNA:
		return "IA_NA"
	case LeaseTA:
		return "IA_TA"
	case LeasePD:
		return "IA_PD"
	}
	return "lease_type(" + strconv.Itoa(int(lt)) + ")"
}

// KeaLease is one line of Kea's DHCPv6 memfile (CSV) lease database.
//
// The memfile is append-only: every allocation, renewal and release appends
// a line, and the last line for an address/prefix is its current state.
// A lease removed by a Release (Kea 2.2, the Debian 12 version) is appended
// once more with the same address/prefix, DUID and IAID but valid_lifetime 0,
// pref_lifetime 0 and expire equal to the time of the Release (the lease's
// cltt); state stays 0. Released reports that. For example, after a Release
// of IA_NA and IA_PD with iaid 1:
//
//	2001:db8:1::100,00:03:00:01:b2:bd:26:31:e6:b1,0,1795443156,1,0,0,1,128,0,0,,b2:bd:26:31:e6:b1,0,,1,2
//	2001:db8:8000::,00:03:00:01:b2:bd:26:31:e6:b1,0,1795443156,1,0,2,1,48,0,0,,b2:bd:26:31:e6:b1,0,,1,2
//
// Kea's log has one line per released lease, e.g.
// "DHCP6_RELEASE_PD duid=[...], tid=0x3c4b9c: prefix 2001:db8:8000::/48 for
// iaid=1 was released properly" (DHCP6_RELEASE_NA for addresses).
type KeaLease struct {
	Address           netip.Addr // the address, or the prefix's first address for PD
	PrefixLen         int        // 128 for IA_NA
	DUID              string     // as Kea writes it: colon-separated hex
	IAID              uint32
	Type              LeaseType
	ValidLifetime     uint32
	PreferredLifetime uint32
	Expire            time.Time
	SubnetID          uint32
	State             int // 0 default, 1 declined, 2 expired-reclaimed
	Hostname          string
	HWAddr            string
}

// Prefix returns Address/PrefixLen.
func (l KeaLease) Prefix() netip.Prefix { return netip.PrefixFrom(l.Address, l.PrefixLen) }

// Released reports whether this line records a lease removed by a Release
// (or otherwise deleted): Kea writes those with valid_lifetime 0.
func (l KeaLease) Released() bool { return l.ValidLifetime == 0 }

// StartKea writes a kea-dhcp6 configuration under Dir, runs Kea in the
// foreground in the ISP namespace with its own lease file, log, pid and lock
// directories, waits until it listens on UDP 547, and stops it when the test
// ends. Several instances (in one or several Beds) do not collide.
func (b *Bed) StartKea(t testing.TB, cfg KeaConfig) *Kea {
	t.Helper()
	NeedBinary(t, "kea-dhcp6", "apt-get install kea-dhcp6-server")
	n := keaSeq.Add(1)
	k := &Kea{Dir: filepath.Join(b.Dir, fmt.Sprintf("kea%d", n))}
	for _, d := range []string{k.Dir, filepath.Join(k.Dir, "run"), filepath.Join(k.Dir, "lock")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("testbed: %v", err)
		}
	}
	k.ConfigPath = filepath.Join(k.Dir, "kea-dhcp6.json")
	k.LogPath = filepath.Join(k.Dir, "kea-dhcp6.log")
	k.LeasePath = filepath.Join(k.Dir, "leases6.csv")

	conf, err := json.MarshalIndent(b.keaConfig(k, cfg), "", "  ")
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if err := os.WriteFile(k.ConfigPath, conf, 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	env := append(os.Environ(),
		"KEA_PIDFILE_DIR="+filepath.Join(k.Dir, "run"),
		"KEA_LOCKFILE_DIR="+filepath.Join(k.Dir, "lock"),
	)
	check := b.ExecISP(context.Background(), "kea-dhcp6", "-t", k.ConfigPath)
	check.Env = env
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("testbed: kea-dhcp6 -t rejected its config: %v\n%s\n%s", err, out, conf)
	}

	cmd := b.ExecISP(context.Background(), "kea-dhcp6", "-c", k.ConfigPath)
	cmd.Env = env
	k.Proc = b.Start(t, fmt.Sprintf("kea%d", n), cmd)
	t.Cleanup(func() { k.Proc.Stop(5 * time.Second) })

	deadline := time.Now().Add(20 * time.Second)
	for {
		if k.Proc.Exited() {
			t.Fatalf("testbed: kea-dhcp6 exited: %v\nlog:\n%s", k.Proc.Wait(), k.Log())
		}
		if strings.Contains(k.Log(), "DHCP6_STARTED") && b.udpBound(b.ISP, 547) {
			return k
		}
		if time.Now().After(deadline) {
			t.Fatalf("testbed: kea-dhcp6 not listening on UDP 547 within 20s\nlog:\n%s", k.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *Bed) udpBound(ns string, port int) bool {
	out, err := runErr("ip", "netns", "exec", ns, "ss", "-H", "-u", "-l", "-n", "sport", "=", ":"+strconv.Itoa(port))
	return err == nil && strings.TrimSpace(out) != ""
}

func orDefault(d, def time.Duration) int {
	if d <= 0 {
		d = def
	}
	return int(d / time.Second)
}

func (b *Bed) keaConfig(k *Kea, cfg KeaConfig) map[string]any {
	subnet := cfg.Subnet
	if !subnet.IsValid() {
		subnet = ISPAddress.Masked()
	}
	sub := map[string]any{
		"id":        1,
		"subnet":    subnet.Masked().String(),
		"interface": b.ISPIf,
		// Kea 2.2 accepts rapid-commit only at subnet (or shared-network) level.
		"rapid-commit": cfg.RapidCommit,
	}
	if cfg.AddressPool != "" {
		sub["pools"] = []any{map[string]any{"pool": cfg.AddressPool}}
	}
	if cfg.PDPrefix.IsValid() {
		sub["pd-pools"] = []any{map[string]any{
			"prefix":        cfg.PDPrefix.Masked().Addr().String(),
			"prefix-len":    cfg.PDPrefix.Bits(),
			"delegated-len": cfg.PDDelegatedLen,
		}}
	}
	if len(cfg.DNSServers) > 0 {
		sub["option-data"] = []any{map[string]any{"name": "dns-servers", "data": joinAddrs(cfg.DNSServers, ", ")}}
	}
	dhcp6 := map[string]any{
		"interfaces-config": map[string]any{"interfaces": []string{b.ISPIf}},
		"lease-database": map[string]any{
			"type":         "memfile",
			"name":         k.LeasePath,
			"persist":      true,
			"lfc-interval": 0,
		},
		// Keep the DUID-LLT server id file out of /var/lib/kea.
		"data-directory":     k.Dir,
		"server-id":          map[string]any{"type": "LL", "persist": false},
		"hooks-libraries":    []any{},
		"renew-timer":        orDefault(cfg.Renew, 1000*time.Second),
		"rebind-timer":       orDefault(cfg.Rebind, 2000*time.Second),
		"preferred-lifetime": orDefault(cfg.Preferred, 3000*time.Second),
		"valid-lifetime":     orDefault(cfg.Valid, 4000*time.Second),
		"subnet6":            []any{sub},
		"loggers": []any{map[string]any{
			"name": "kea-dhcp6",
			"output_options": []any{map[string]any{
				"output": k.LogPath,
				"flush":  true,
			}},
			// Debug level 40 shows each packet's summary and the lease
			// decisions; DHCP6_RELEASE_* are INFO and always present.
			"severity":   "DEBUG",
			"debuglevel": 40,
		}},
	}
	if cfg.Mutate != nil {
		cfg.Mutate(dhcp6)
	}
	return map[string]any{"Dhcp6": dhcp6}
}

// Leases parses Kea's memfile and returns every line in file order (see
// KeaLease for how to read it; CurrentLeases keeps the last line per lease).
func (k *Kea) Leases() ([]KeaLease, error) {
	data, err := os.ReadFile(k.LeasePath)
	if err != nil {
		return nil, fmt.Errorf("testbed: kea leases: %w", err)
	}
	return ParseKeaLeases6(data)
}

// ParseKeaLeases6 parses a Kea DHCPv6 memfile (CSV with a header line).
func ParseKeaLeases6(data []byte) ([]KeaLease, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("testbed: kea leases header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"address", "duid", "valid_lifetime", "expire", "lease_type", "iaid", "prefix_len"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("testbed: kea leases: no %q column in header %q", need, header)
		}
	}
	var leases []KeaLease
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return leases, nil
		}
		if err != nil {
			return leases, fmt.Errorf("testbed: kea leases: %w", err)
		}
		field := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		num := func(name string) (uint64, error) {
			s := field(name)
			if s == "" {
				return 0, nil
			}
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("testbed: kea leases: column %s: %w", name, err)
			}
			return v, nil
		}
		var l KeaLease
		if l.Address, err = netip.ParseAddr(field("address")); err != nil {
			return leases, fmt.Errorf("testbed: kea leases: %w", err)
		}
		l.DUID = field("duid")
		l.Hostname = field("hostname")
		l.HWAddr = field("hwaddr")
		var v uint64
		if v, err = num("valid_lifetime"); err != nil {
			return leases, err
		}
		l.ValidLifetime = uint32(v)
		if v, err = num("pref_lifetime"); err != nil {
			return leases, err
		}
		l.PreferredLifetime = uint32(v)
		if v, err = num("expire"); err != nil {
			return leases, err
		}
		l.Expire = time.Unix(int64(v), 0)
		if v, err = num("subnet_id"); err != nil {
			return leases, err
		}
		l.SubnetID = uint32(v)
		if v, err = num("lease_type"); err != nil {
			return leases, err
		}
		l.Type = LeaseType(v)
		if v, err = num("iaid"); err != nil {
			return leases, err
		}
		l.IAID = uint32(v)
		if v, err = num("prefix_len"); err != nil {
			return leases, err
		}
		l.PrefixLen = int(v)
		if v, err = num("state"); err != nil {
			return leases, err
		}
		l.State = int(v)
		leases = append(leases, l)
	}
}

// CurrentLeases keeps the last line for each (type, address, prefix length),
// in order of first appearance: the memfile's view after replaying it.
func CurrentLeases(lines []KeaLease) []KeaLease {
	type key struct {
		t LeaseType
		p netip.Prefix
	}
	idx := map[key]int{}
	var out []KeaLease
	for _, l := range lines {
		k := key{l.Type, l.Prefix()}
		if i, ok := idx[k]; ok {
			out[i] = l
			continue
		}
		idx[k] = len(out)
		out = append(out, l)
	}
	return out
}
