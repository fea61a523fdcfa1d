package uciconfig

import (
	"fmt"
	"slices"
	"strings"
)

// UCIBatch is the suggestion as commands for `uci batch` (uci(1), the
// CLI's batch mode in cli.c): one `set` or `delete` per change, in the
// order made, each after a comment saying why, and a `reorder` that puts
// an added section where network.suggested has it (uci appends a new
// section at the end). Applied to the config the suggestion was made
// from and committed, it gives the sections and values of Bytes: what an
// OpenWrt user or forum helper expects instead of a whole new file.
// package is the config's name, "network".
//
// It names only the options that change and their new values, which are
// never secrets (Suggest changes no option IsSecretOption names; one that
// did would be left out with a comment rather than written); nil when
// nothing changed.
func (s *Suggestion) UCIBatch(pkg string) []byte {
	if !s.Changed() {
		return nil
	}
	var b strings.Builder
	added := map[string]bool{}
	for _, c := range s.Changes {
		fmt.Fprintf(&b, "# %s\n", oneLine(c.Why))
		target := pkg + "." + c.Section
		switch {
		case c.Option == "":
			fmt.Fprintf(&b, "set %s=%s\n", target, c.New)
			added[c.Section] = true
		case IsSecretOption(c.Option):
			fmt.Fprintf(&b, "# (%s.%s is a secret: set it yourself)\n", target, c.Option)
		case c.New == "":
			fmt.Fprintf(&b, "delete %s.%s\n", target, c.Option)
		default:
			fmt.Fprintf(&b, "set %s.%s=%s\n", target, c.Option, quote(c.New))
		}
	}
	positions := s.file.uciPositions()
	last := slices.Max(positions)
	for i, pos := range positions {
		sec := s.file.sections[i]
		if sec.Name != "" && added[sec.Name] && pos < last {
			fmt.Fprintf(&b, "# where network.suggested has it (uci adds a section at the end)\n")
			fmt.Fprintf(&b, "reorder %s.%s=%d\n", pkg, sec.Name, pos)
		}
	}
	return []byte(b.String())
}

// uciPositions gives each section statement its position in libuci's
// list of sections, from 0: libuci merges a config statement that repeats
// an earlier name into that section (file.c, uci_parse_config), so a
// repeated name takes its first statement's position.
func (f *File) uciPositions() []int {
	pos := make([]int, len(f.sections))
	first := map[string]int{}
	n := 0
	for i, s := range f.sections {
		if p, ok := first[s.Name]; ok && s.Name != "" {
			pos[i] = p
			continue
		}
		pos[i] = n
		if s.Name != "" {
			first[s.Name] = n
		}
		n++
	}
	return pos
}

// ApplyCommand is the command line that applies a batch file for the
// interfaces the suggestion changes: `uci batch < FILE && uci commit
// network && ifup IFACE…`. ifup reloads netifd's config (`ubus call
// network reload`, netifd's scripts/ifup) before it restarts the
// interface, so a section the batch added comes up too.
func (s *Suggestion) ApplyCommand(batchFile string) string {
	cmd := "uci batch < " + batchFile + " && uci commit network"
	for _, name := range s.changedInterfaces() {
		cmd += " && ifup " + name
	}
	return cmd
}

// changedInterfaces are the named interface sections the changes touch,
// in the order first touched, those that run the WAN first: restarting
// lan cuts the user's own connection last.
func (s *Suggestion) changedInterfaces() []string {
	var wan, other []string
	for _, c := range s.Changes {
		sec := s.file.Section(c.Section)
		if sec == nil || sec.Type != "interface" || slices.Contains(wan, sec.Name) || slices.Contains(other, sec.Name) {
			continue
		}
		if sec.Name == "lan" {
			other = append(other, sec.Name)
		} else {
			wan = append(wan, sec.Name)
		}
	}
	return append(wan, other...)
}

// oneLine keeps a comment on one line of the batch file.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
