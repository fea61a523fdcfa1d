package main

import (
	"errors"
	"net"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/live"
)

// The DUID-LL rung is the router's identity: it may run only when nothing
// on the router suggests that its own client holds a lease.
func TestRouterLeaseEvidence(t *testing.T) {
	const (
		wanLL    = "fe800000000000000000000000000001 03 40 20 80 eth0.2\n"
		wanSLAAC = "20010db8000100000000000000000002 03 40 00 00 eth0.2\n"
		wanIANA  = "20010db8000100000000000000000100 03 80 00 80 eth0.2\n"
		lanULA   = "fd000000000000000000000000000001 04 40 00 80 br-lan\n"
		lanGUA   = "20010db8800001000000000000000001 04 40 00 80 br-lan\n"
		lo       = "00000000000000000000000000000001 01 80 10 80 lo\n"
		// netifd's unreachable route for a delegated /56 (RTF_REJECT).
		reject = "20010db8800001000000000000000000 38 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 00200200 lo\n"
		plain  = "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0.2\n"
	)
	for _, tc := range []struct {
		name, inet6, route, want string
	}{
		{"nothing but link-local, ULA and a SLAAC /64", wanLL + wanSLAAC + lanULA + lo, plain, ""},
		{"an IA_NA-like /128 on the WAN", wanLL + wanIANA, "", "eth0.2 holds 2001:db8:1::100/128"},
		{"a global address on the LAN", wanLL + lanGUA, "", "br-lan holds 2001:db8:8000:100::1/64"},
		{"an unreachable route for a delegation", wanLL, plain + reject, "unreachable route for 2001:db8:8000:100::/56"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fstest.MapFS{
				"proc/net/if_inet6":   {Data: []byte(tc.inet6)},
				"proc/net/ipv6_route": {Data: []byte(tc.route)},
			}
			got := routerLeaseEvidence(root, "eth0.2")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("evidence %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRouterIdentity(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	id := dhcpv6.Identity{DUID: dhcpv6.StableDUID(mac), IAID: dhcpv6.StableIAID(mac), PDIAID: dhcpv6.StableIAID(mac)}
	rid, skip := routerIdentity(capture.Interface{Name: "eth0.2", MAC: mac}, id, fstest.MapFS{})
	if !rid.DUID.Equal(dhcpv6.DUIDLL(mac)) || rid.IAID != id.IAID || skip != "" {
		t.Errorf("identity %s %x skip %q; want the DUID-LL with v6diag's own IAID, allowed", rid.DUID, rid.IAID, skip)
	}
	if _, skip := routerIdentity(capture.Interface{Name: "pppoe-wan"}, id, fstest.MapFS{}); skip == "" {
		t.Error("a link without MAC allows the DUID-LL rung")
	}
}

// Without a network config the router's client is odhcp6c with netifd's
// defaults, on the WAN device, with the kernel's host name in its FQDN.
func TestRouterClientWithoutConfig(t *testing.T) {
	rc := routerClientFacts(netConfig{}, "eth0.2", fstest.MapFS{"proc/sys/kernel/hostname": {Data: []byte("gw-kitchen\n")}})
	if rc.Source != "netifd defaults" || rc.ArgsText != "-P0 -t120" || rc.Host.IfName != "eth0.2" || rc.Host.HostName != "gw-kitchen" {
		t.Errorf("router client %+v", rc)
	}
	s := rc.Args.Shape(rc.Host)
	if !s.IANA || !s.IAPD || s.PrefixLength != 0 || !s.ReconfigureAccept || s.ClientFQDN != "gw-kitchen" {
		t.Errorf("its first Solicit %+v, want IA_NA and IA_PD without a hint, Reconfigure Accept and the FQDN", s)
	}
	if got := hostName(fstest.MapFS{}); got != "" {
		t.Errorf("host name without /proc: %q, want none", got)
	}
}

func TestParseStrategy(t *testing.T) {
	for in, want := range map[string]live.Strategy{"auto": live.StrategyAuto, "first": live.StrategyFirst, "all": live.StrategyAll} {
		if got, err := parseStrategy(in); err != nil || got != want {
			t.Errorf("parseStrategy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := parseStrategy("some"); err == nil {
		t.Error("parseStrategy accepts some")
	}
}

func TestRunRejectsUnknownStrategy(t *testing.T) {
	var out, errOut strings.Builder
	_, err := cmdRun([]string{"--strategy", "sometimes"}, &out, &errOut)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--strategy") {
		t.Errorf("err %v; want a usage error naming --strategy", err)
	}
}
