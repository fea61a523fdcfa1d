package uciconfig

import (
	"slices"
	"strings"
)

// WANClientInterfaces names the interfaces whose netifd status tells what
// the router's own WAN clients hold: wan; every interface that runs a
// DHCPv6 client on the WAN (proto dhcpv6 on "@wan" or on wan's device,
// wan6 first); and a PPP wan's dynamic NAME_6, which ppp.sh starts when
// its 'ipv6' is 'auto' (the default since LEDE 17.01). dhcpv6 lists those
// of them that run odhcp6c. A nil File, or one without a wan, gives
// OpenWrt's default names, wan and wan6.
func (f *File) WANClientInterfaces() (all, dhcpv6 []string) {
	if f == nil || !f.isInterface("wan") {
		return []string{"wan", "wan6"}, []string{"wan6"}
	}
	all = []string{"wan"}
	wanDev := strings.TrimSpace(f.device("wan"))
	proto := f.option("wan", "proto")
	if proto == "dhcpv6" {
		dhcpv6 = append(dhcpv6, "wan")
	}
	for _, i := range f.Interfaces() {
		d := strings.TrimSpace(i.Device)
		if i.Name == "wan" || i.Proto != "dhcpv6" || !(d == "@wan" || (wanDev != "" && d == wanDev)) {
			continue
		}
		dhcpv6 = append(dhcpv6, i.Name)
	}
	// wan6 first: the name users and forum helpers ask about.
	// (A stable partition by hand: a generic stable sort costs 2.5 KB.)
	wan6First := make([]string, 0, len(dhcpv6))
	for _, n := range dhcpv6 {
		if n == "wan6" {
			wan6First = append(wan6First, n)
		}
	}
	for _, n := range dhcpv6 {
		if n != "wan6" {
			wan6First = append(wan6First, n)
		}
	}
	if len(dhcpv6) > 0 {
		dhcpv6 = wan6First
	}
	if v := f.option("wan", "ipv6"); pppProtos[proto] && (v == "" || v == "auto") {
		dhcpv6 = append(dhcpv6, "wan_6")
	}
	for _, n := range dhcpv6 {
		if !slices.Contains(all, n) {
			all = append(all, n)
		}
	}
	return all, dhcpv6
}
