// Package hostinfo reads the facts of the host v6diag runs on, and is the
// one place that does: its model and board, the OpenWrt release, the
// kernel, the 802.1Q VLAN of the WAN device; the interfaces, the default
// route and who holds UDP port 546 (iface.go); the host name, netifd's
// protocol handlers, traces of the router's own DHCPv6 lease, free memory,
// the process's capabilities (router.go); the output's file system and the
// machine id (disk.go); the router's state and firewall as its commands
// show them. A run reads each once, but for the WAN interface, looked at
// again after the run for a carrier lost meanwhile. It reads files through an fs.FS rooted at "/", so tests
// feed an fstest.MapFS; every fact is optional, because the tool also runs
// on plain Linux machines.
package hostinfo
