package uciconfig

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DeltaOp is what one line of a uci change file does; the first byte of
// the line says which (uci_command_char in libuci's delta.c).
type DeltaOp uint8

const (
	DeltaSet     DeltaOp = iota // network.SEC[.OPT]='VALUE' (no prefix): uci set
	DeltaAdd                    // +network.cfgXXXXXX='TYPE': uci add, an anonymous section
	DeltaRemove                 // -network.SEC[.OPT][='INDEX']: uci delete
	DeltaRename                 // @network.SEC[.OPT]='NAME': uci rename
	DeltaReorder                // ^network.SEC='POS': uci reorder
	DeltaListAdd                // |network.SEC.OPT='VALUE': uci add_list
	DeltaListDel                // ~network.SEC.OPT='VALUE': uci del_list
)

var deltaPrefix = map[byte]DeltaOp{'+': DeltaAdd, '-': DeltaRemove, '@': DeltaRename, '^': DeltaReorder, '|': DeltaListAdd, '~': DeltaListDel}

// DeltaCommand is one change that uci has saved but not committed.
type DeltaCommand struct {
	Op      DeltaOp
	Section string // a name, or for an anonymous section uci's cfgNNHHHH
	Option  string // "" for a section
	Value   string
	// HasValue tells "-network.wan" (no value) from a value that is
	// empty: a set with an empty value deletes.
	HasValue bool
}

// Delta is a parsed uci change file: what `uci set`, `uci add` and the
// rest saved in /tmp/.uci/PACKAGE (libuci's savedir) and `uci commit`
// has not yet written into /etc/config/PACKAGE. uci applies it on top of
// the config each time it loads it (uci show, uci get, uci batch).
type Delta struct {
	Commands []DeltaCommand
	// Ignored counts the lines uci would ignore: libuci drops a line it
	// cannot parse and keeps the rest ("we want to preserve as much delta
	// as possible", delta.c, uci_parse_delta).
	Ignored int
}

// ParseDelta reads a uci change file for package pkg ("network"), line by
// line as libuci's uci_parse_delta does: each line is one argument in the
// quoting of the config files ('…', "…", backslash), optionally led by
// an operation byte, then PACKAGE.SECTION[.OPTION][=VALUE]. A line that
// libuci rejects (another package, an extended @type[N] section, a name
// with other bytes than letters, digits and '_', a missing value, more
// than one argument) is counted in Ignored, not returned.
func ParseDelta(b []byte, pkg string) Delta {
	var d Delta
	for len(b) > 0 {
		arg, rest, ok := deltaArgument(b)
		blank := len(bytes.TrimSpace(b[:len(b)-len(rest)])) == 0
		b = rest
		if blank {
			continue // no change, and nothing uci would warn of
		}
		if !ok {
			d.Ignored++
			continue
		}
		c, ok := parseDeltaTuple(arg, pkg)
		if !ok {
			d.Ignored++
			continue
		}
		d.Commands = append(d.Commands, c)
	}
	return d
}

// deltaArgument reads one line's argument as libuci's parse_str does, and
// returns what follows the line. ok is false when more than the argument
// (and one white space byte after it) is on the line: uci_parse_delta_tuple
// rejects such a line.
func deltaArgument(b []byte) (arg string, rest []byte, ok bool) {
	var out []byte
	i := 0
	// skip_whitespace, within the line libuci has read.
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	endLine := func(j int) []byte {
		if k := bytes.IndexByte(b[j:], '\n'); k >= 0 {
			return b[j+k+1:]
		}
		return nil
	}
	for {
		if i >= len(b) {
			return string(out), nil, true
		}
		switch c := b[i]; c {
		case '\'', '"':
			// A quote runs over line ends until it closes; in double
			// quotes a backslash takes the next byte as it is.
			i++
			for {
				if i >= len(b) {
					return "", nil, false // EOF with an unterminated quote
				}
				if b[i] == c {
					i++
					break
				}
				if c == '"' && b[i] == '\\' {
					if next, skip := backslash(b, i); skip {
						i = next
						continue
					}
					i++
				}
				out = append(out, b[i])
				i++
			}
		case '#':
			// The rest of the line is a comment: the argument ends here,
			// and nothing follows it.
			return string(out), endLine(i), true
		case '\n':
			return string(out), b[i+1:], true
		case ';':
			// The argument ends, and the rest of the line is more.
			return "", endLine(i), false
		case '\\':
			if next, skip := backslash(b, i); skip {
				i = next
				continue
			}
			i++
			out = append(out, b[i])
			i++
		default:
			out = append(out, c)
			i++
		}
		if i < len(b) && isSpace(b[i]) {
			// White space ends the argument; parse_str skips one byte of
			// it, and anything left of the line, even its newline, makes
			// libuci reject the line.
			i++
			if i >= len(b) {
				return string(out), nil, true
			}
			return "", endLine(i - 1), false
		}
	}
}

// backslash handles a backslash at b[i] as libuci's parse_backslash: at
// the end of a line (or of the input) it joins the next line and is
// dropped (skip is true, next is where to go on); otherwise the byte after
// it is taken literally.
func backslash(b []byte, i int) (next int, skip bool) {
	switch {
	case i+1 >= len(b):
		return i + 1, true
	case b[i+1] == '\n':
		return i + 2, true
	case b[i+1] == '\r' && i+2 < len(b) && b[i+2] == '\n':
		return i + 3, true
	}
	return i, false
}

// parseDeltaTuple splits an argument as uci_parse_ptr does and checks it
// as uci_parse_delta_tuple does.
func parseDeltaTuple(arg, pkg string) (DeltaCommand, bool) {
	var c DeltaCommand
	if arg == "" {
		return c, false
	}
	if op, ok := deltaPrefix[arg[0]]; ok {
		c.Op = op
		arg = arg[1:]
	}
	path, value, hasValue := strings.Cut(arg, "=")
	parts := strings.Split(path, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != pkg || !validPackage(parts[0]) {
		return c, false
	}
	c.Section, c.Value, c.HasValue = parts[1], value, hasValue
	if len(parts) == 3 {
		c.Option = parts[2]
		if !validName(c.Option) {
			return c, false
		}
	}
	// An invalid section name is an extended lookup (@type[N]), which a
	// change file may not hold.
	if !validName(c.Section) || !validText(c.Value) {
		return c, false
	}
	if c.Op != DeltaRemove && !hasValue {
		return c, false
	}
	switch c.Op {
	case DeltaReorder:
		if c.Option != "" {
			return c, false
		}
	case DeltaRename:
		if !validName(c.Value) {
			return c, false
		}
	case DeltaListAdd, DeltaListDel:
		if c.Option == "" {
			return c, false
		}
	}
	return c, true
}

// validText is libuci's uci_validate_text: no control bytes but tab and
// line ends.
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 32 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// AnonymousName is the name libuci gives an anonymous section when it
// loads a file, by which a change file refers to it: "cfg", the count of
// sections so far (this one included) as two or more hex digits, and
// four hex digits of a DJB hash of the type (list.c, uci_fixup_section;
// the section has no options yet when it is named).
func (s *Section) AnonymousName() string {
	if s.Name != "" {
		return ""
	}
	positions := s.file.uciPositions()
	return fmt.Sprintf("cfg%02x%04x", positions[slices.Index(s.file.sections, s)]+1, djbHash(s.Type)%(1<<16))
}

// djbHash is libuci's djbhash over one string from its initial value.
func djbHash(s string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(s); i++ {
		// libuci adds a plain char, signed on most routers' compilers;
		// section types are ASCII, where that makes no difference.
		h = h<<5 + h + uint32(int32(int8(s[i])))
	}
	return h & 0x7FFFFFFF
}

// ApplyDelta applies the commands to f in order, as libuci applies a
// change file when it loads a config, and reports how many it applied.
// A command libuci would reject (a section that does not exist, a type
// or name it does not allow) is skipped, as libuci skips it, and said in
// a note. Every line it touches is re-rendered; the rest stays as it was.
func (f *File) ApplyDelta(d Delta) (applied int, notes []string) {
	names := map[string]*Section{}
	for _, s := range f.sections {
		if s.Name == "" {
			names[s.AnonymousName()] = s
		}
	}
	lookup := func(name string) *Section {
		if s, ok := names[name]; ok && slices.Contains(f.sections, s) {
			return s
		}
		return f.Section(name)
	}
	for _, c := range d.Commands {
		sec := lookup(c.Section)
		if err := f.applyDelta(c, sec, names); err != nil {
			notes = append(notes, fmt.Sprintf("uncommitted change %s not applied: %v", c, err))
			continue
		}
		applied++
	}
	return applied, notes
}

func (f *File) applyDelta(c DeltaCommand, sec *Section, names map[string]*Section) error {
	if sec == nil && !((c.Op == DeltaSet || c.Op == DeltaAdd) && c.Option == "") {
		return fmt.Errorf("no section %s", c.Section)
	}
	switch c.Op {
	case DeltaSet, DeltaAdd:
		switch {
		case c.Option != "":
			return sec.SetOption(c.Option, c.Value, "")
		case c.Value == "":
			if sec != nil {
				f.deleteSection(sec)
			}
			return nil
		case !validType(c.Value) || strings.ContainsAny(c.Value, "'\"\\#;"):
			// libuci accepts any printable type, but writes it unquoted
			// (file.c, uci_export_package): a quote, backslash, '#' or ';'
			// in it makes a file no uci reads back (FuzzParseDelta).
			return fmt.Errorf("section type %q, which uci could not read back", c.Value)
		case sec == nil:
			// A named section, or an anonymous one that uci add named.
			name := c.Section
			if c.Op == DeltaAdd {
				name = ""
			}
			s, err := f.AddSection(c.Value, name, "", nil)
			if err != nil {
				return err
			}
			names[c.Section] = s
			return nil
		default:
			sec.setType(c.Value)
			return nil
		}
	case DeltaRemove:
		switch {
		case c.Option == "":
			f.deleteSection(sec)
		case c.Value != "" && len(sec.List(c.Option)) > 0 && isListOption(sec, c.Option):
			// uci delete network.s.o=INDEX removes one list element.
			n, err := strconv.Atoi(strings.TrimSpace(c.Value))
			if err != nil {
				return fmt.Errorf("bad list index %q", c.Value)
			}
			sec.deleteListIndex(c.Option, n)
		default:
			sec.DeleteOption(c.Option)
		}
		return nil
	case DeltaRename:
		if c.Option != "" {
			return sec.renameOption(c.Option, c.Value)
		}
		sec.rename(c.Value)
		return nil
	case DeltaReorder:
		pos, err := strconv.ParseUint(strings.TrimSpace(c.Value), 10, 31)
		if err != nil {
			return fmt.Errorf("bad position %q", c.Value)
		}
		f.moveSection(sec, int(pos))
		return nil
	case DeltaListAdd:
		return sec.addListValue(c.Option, c.Value)
	case DeltaListDel:
		sec.deleteListValue(c.Option, c.Value)
		return nil
	}
	return fmt.Errorf("unknown operation")
}

// String writes the command back as the change file holds it, for notes.
func (c DeltaCommand) String() string {
	prefix := ""
	for b, op := range deltaPrefix {
		if op == c.Op {
			prefix = string(b)
		}
	}
	s := prefix + "network." + c.Section
	if c.Option != "" {
		s += "." + c.Option
	}
	if c.HasValue {
		v := c.Value
		if IsSecretOption(c.Option) {
			v = SecretMask
		}
		s += "=" + quote(v)
	}
	return s
}

func isListOption(s *Section, name string) bool {
	_, _, isList, ok := s.state(name)
	return ok && isList
}
