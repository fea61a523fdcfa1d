package main

import (
	"errors"
	"net"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/live"
)

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
	if got := hostinfo.HostName(fstest.MapFS{}); got != "" {
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
