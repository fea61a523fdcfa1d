// Package uciconfig reads and edits OpenWrt UCI configuration files
// (/etc/config/*) without losing a byte.
//
// A diagnosis that ends with "set option reqprefix 'auto' on wan6" is only
// useful if applying it changes that one line: the user's comments,
// ordering, indentation and quoting stay exactly as they were. Parse keeps
// every input byte in a list of nodes (one per statement, blank line or
// comment line), each holding its original text next to the parsed fields;
// Bytes concatenates the original text of every node that was not edited,
// so an unedited File reproduces its input byte for byte. An edited node is
// rendered in the canonical style that `uci commit` writes: a tab indent,
// single-quoted values, and a single quote inside a value closing the
// quote, escaped, and reopening it:
//
//	option description 'it'\''s mine'
//
// The grammar is libuci's (package uci, file.c), including its less known
// corners: adjacent quoted and unquoted parts concatenate ('a'"b"c is
// "abc"); a backslash outside single quotes takes the next byte literally
// and joins lines when it ends one; quoted values may span lines; an
// unquoted '#' starts a comment that runs to the end of the line; ';'
// separates statements on one line; "c", "o", "l" and "p" abbreviate
// config, option, list and package; CRLF line endings are accepted. Like
// libuci in its default strict mode, a statement with too many arguments
// is an error. Errors are *SyntaxError values that name the line and wrap
// ErrSyntax.
//
// network.go adds the view of /etc/config/network that an IPv6 diagnosis
// needs across OpenWrt releases: the Linux device of the WAN (swconfig
// "option ifname 'eth0.2'", DSA "option device 'wan'", "@wan" aliases,
// PPPoE and 802.1Q VLAN devices) and the DHCPv6 client identifier (DUID,
// RFC 8415 section 11) that odhcp6c will send.
//
// netifd.go says which DHCPv6 client netifd runs on the WAN and with
// which odhcp6c arguments (RouterClient): the proto 'dhcpv6' interface on
// the WAN's device or a PPP wan's automatic wan_6, its options read as
// netifd and its dhcpv6 protocol handler read them (netifd_handler.go:
// the shell dhcpv6.sh of every release so far, or the ucode dhcpv6.uc of
// OpenWrt main), and odhcp6c's own reading of the result. Bad values,
// unknown options, extra or missing clients become notes, never a guess.
// netifd_reverse.go goes back: the options to set for wanted arguments
// (OptionsFor), checked by mapping the changed section again.
//
// suggest.go turns what a diagnosis found (an Advice: the netifd dhcpv6
// settings of the request shape that worked, the prefix length the ISP
// delegated, whether the ISP must act) into a Suggestion: the same file
// with only the netifd options that matter changed or added, each with a
// "# v6diag: why" comment, across the releases' models (swconfig
// "ifname", DSA "device" and bridge-vlan, "@wan" aliases, a PPPoE wan's
// automatic wan_6). diff.go prints the change as a unified diff, and
// secret.go keeps passwords and keys out of everything shown.
package uciconfig
