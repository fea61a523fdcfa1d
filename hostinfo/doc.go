// Package hostinfo reads what a report says about the router itself: its
// model and board, the OpenWrt release, the kernel, and the 802.1Q VLAN of
// the WAN device. It reads files through an fs.FS rooted at "/", so tests
// feed an fstest.MapFS; every fact is optional, because the tool also runs
// on plain Linux machines.
package hostinfo
