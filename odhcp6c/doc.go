// Package odhcp6c knows what OpenWrt's DHCPv6 client does, so that v6diag
// can speak for the router's own client rather than for its probe: the
// command line netifd starts it with (Args), the Solicit and Request it
// sends with those arguments, and which Advertise and Reply it takes or
// discards and what it ends up with.
//
// The rules are learned from odhcp6c's source (openwrt/odhcp6c, the
// snapshot in ../shared/peers); each cites the file and function it comes
// from. None of its code is copied: the tests run the real odhcp6c beside
// v6diag on the same line and compare.
package odhcp6c
