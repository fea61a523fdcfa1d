package uciconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrInvalidName reports an option name that UCI does not allow (only
// ASCII letters, digits and '_').
var ErrInvalidName = errors.New("uciconfig: invalid option name")

// File is one parsed UCI file. Its zero value is not useful; use Parse.
type File struct {
	nodes    []*node
	sections []*Section
	eol      string // line ending for new lines: that of the first line
}

// Section is one "config TYPE ['NAME']" statement and the option and list
// statements after it. Its fields describe the file as parsed and are not
// written back; edit it with SetOption and DeleteOption.
//
// libuci merges two config statements that give the same name into one
// section; here each statement is its own Section, in file order.
type Section struct {
	// Type is the section type, e.g. "interface" or "device".
	Type string
	// Name is empty for an anonymous section.
	Name string
	// Index counts the sections of the same Type before this one, from 0:
	// the N in UCI's @TYPE[N] address, which is the only way to name an
	// anonymous section (network.@device[0]).
	Index int
	// Line is the line of the config statement, from 1.
	Line int

	file *File
	head *node
	body []*node // option and list statements, in order, without deleted ones
}

// Sections returns every section in file order.
func (f *File) Sections() []*Section { return slices.Clone(f.sections) }

// Section returns the last section named name, or nil. (When a name is
// repeated, libuci lets the later statements win.)
func (f *File) Section(name string) *Section {
	if name == "" {
		return nil
	}
	for i := len(f.sections) - 1; i >= 0; i-- {
		if f.sections[i].Name == name {
			return f.sections[i]
		}
	}
	return nil
}

// Bytes renders the file. Unedited nodes are copied as parsed, so an
// unedited File returns exactly the bytes given to Parse.
func (f *File) Bytes() []byte { return f.render(false) }

// Masked renders the file like Bytes, but with the value (and any comment)
// of every option or list whose name IsSecretOption says holds a secret
// replaced by SecretMask, for anything a person will read: a diff, a
// terminal. Masked output is for display; a multi-line secret value
// becomes one line, so it is not the file to apply.
func (f *File) Masked() []byte { return f.render(true) }

func (f *File) render(mask bool) []byte {
	var out []byte
	var dangling bool // out ends in a backslash that escapes what follows
	atLineStart := func() bool { return len(out) == 0 || out[len(out)-1] == '\n' }
	for i, n := range f.nodes {
		if dangling && (n.edited || n.deleted) {
			// Give the backslash an empty line to join.
			if !atLineStart() {
				out = append(out, f.eol...)
			}
			out = append(out, f.eol...)
			dangling = false
		}
		switch {
		case n.deleted:
			// Keep the line structure: a statement that shared its line
			// with an earlier one still owned that line's ending, and one
			// that ended mid-line must still separate its neighbours.
			eol := lineEnding(n.raw)
			if eol == "" && (len(out) == 0 || out[len(out)-1] != ';') {
				eol = f.eol
			}
			if !atLineStart() {
				out = append(out, eol...)
			}
		case n.edited:
			if !atLineStart() {
				out = append(out, f.eol...)
			}
			out = append(out, n.render()...)
			eol := lineEnding(n.raw)
			if eol == "" && (n.raw == "" || i < len(f.nodes)-1) {
				eol = f.eol
			}
			out = append(out, eol...)
		case mask && n.secret():
			out = append(out, n.masked(i == len(f.nodes)-1)...)
		default:
			out = append(out, n.raw...)
			dangling = n.dangling
		}
	}
	return out
}

// secret reports whether n is an option or list statement that holds a
// secret.
func (n *node) secret() bool {
	return (n.kind == kindOption || n.kind == kindList) && IsSecretOption(n.name)
}

// masked renders an unedited secret statement with its value hidden,
// keeping its indentation and line ending so the lines around it stay
// where they were.
func (n *node) masked(last bool) string {
	indent := n.raw[:len(n.raw)-len(strings.TrimLeft(n.raw, " \t\v\f\r"))]
	eol := lineEnding(n.raw)
	if eol == "" && !last {
		// Another statement follows on the same line.
		eol = ";"
	}
	return indent + keyword(n.kind) + " " + n.name + " " + quote(SecretMask) + eol
}

// render writes an edited or added node in the style of `uci commit`,
// without a line ending.
func (n *node) render() string {
	var b strings.Builder
	switch n.kind {
	case kindBlank:
	case kindComment:
		b.WriteString("# ")
		b.WriteString(n.comment)
		return b.String()
	case kindConfig:
		b.WriteString("config ")
		b.WriteString(n.typ)
		if n.name != "" {
			b.WriteByte(' ')
			b.WriteString(quote(n.name))
		}
	default:
		b.WriteByte('\t')
		b.WriteString(keyword(n.kind))
		b.WriteByte(' ')
		b.WriteString(n.name)
		b.WriteByte(' ')
		b.WriteString(quote(n.value))
	}
	if n.comment != "" {
		b.WriteString(" # ")
		b.WriteString(n.comment)
	}
	return b.String()
}

// quote single-quotes a value as libuci's uci_escape does: a single quote
// inside closes the quote, is written escaped, and reopens it.
func quote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func lineEnding(raw string) string {
	switch {
	case strings.HasSuffix(raw, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(raw, "\n"):
		return "\n"
	}
	return ""
}

// state replays the statements for one option name in order, as libuci
// does when it loads a file: "option" with a value replaces whatever was
// there, "option" with an empty value changes nothing, and "list" appends,
// turning an earlier plain value into the list's first element.
func (s *Section) state(name string) (value string, list []string, isList, ok bool) {
	for _, n := range s.body {
		if n.name != name {
			continue
		}
		switch n.kind {
		case kindOption:
			if n.value == "" {
				continue
			}
			value, list, isList, ok = n.value, nil, false, true
		case kindList:
			if ok && !isList {
				list = []string{value}
			}
			list = append(list, n.value)
			value, isList, ok = "", true, true
		}
	}
	return value, list, isList, ok
}

// Option returns the value of a plain option. It reports false when the
// option is absent or is a list.
func (s *Section) Option(name string) (string, bool) {
	v, _, isList, ok := s.state(name)
	if !ok || isList {
		return "", false
	}
	return v, true
}

// List returns the values of a list option in order. For a plain option
// it returns its one value, the way libuci converts a plain option that a
// list statement extends; for an absent one, nil.
func (s *Section) List(name string) []string {
	v, list, isList, ok := s.state(name)
	switch {
	case !ok:
		return nil
	case isList:
		return list
	}
	return []string{v}
}

// SetOption gives option name the plain value value, changing the
// statement that sets it now or adding one after the section's last
// statement. A non-empty comment is written after the value as
// "# comment", to say why v6diag changed it; an empty one leaves no
// comment (a changed value drops the old one, which described the old
// value). Only the changed statement is re-rendered; setting the value an
// option already has, with no comment, changes nothing.
//
// UCI has no empty values (libuci ignores an option statement whose value
// is an empty quoted string), so setting "" deletes the option. A list of that name is replaced by the plain option.
func (s *Section) SetOption(name, value, comment string) error {
	if !validName(name) {
		return fmt.Errorf("set option %q in section %s: %w", name, s.ref(), ErrInvalidName)
	}
	if value == "" {
		s.DeleteOption(name)
		return nil
	}
	comment = strings.Join(strings.Fields(comment), " ")

	_, _, isList, ok := s.state(name)
	var target *node
	switch {
	case ok && !isList:
		// Change the statement that wins: the last plain option with a value.
		for _, n := range s.body {
			if n.name == name && n.kind == kindOption && n.value != "" {
				target = n
			}
		}
		if target.value == value && (comment == "" || comment == target.comment) {
			return nil
		}
	case ok && isList:
		// The first statement of the list becomes the option; the list's
		// other statements go. (remove edits s.body: range over a copy.)
		for _, n := range slices.Clone(s.body) {
			if n.name != name {
				continue
			}
			if target == nil {
				target = n
				continue
			}
			s.file.remove(n)
		}
		target.kind = kindOption
	default:
		target = &node{kind: kindOption, name: name, section: s}
		s.file.insertAfter(s.last(), target)
		s.body = append(s.body, target)
	}
	target.value = value
	target.comment = comment
	target.edited = true
	return nil
}

// DeleteOption removes every option and list statement for name and
// reports whether there were any.
func (s *Section) DeleteOption(name string) bool {
	var found bool
	for _, n := range slices.Clone(s.body) {
		if n.name == name {
			s.file.remove(n)
			found = true
		}
	}
	return found
}

// AddSection adds an empty "config typ 'name'" section, preceded by a
// blank line, right after the statements of section after (at the end of
// the file when after is nil), so it lands next to the section it belongs
// with rather than after whatever the file ends with. A non-empty comment
// is written after the config statement as "# comment". name may be empty
// for an anonymous section.
//
// An anonymous section of the same type after section after would move up
// one in uci's @typ[N] addressing, and a command or script naming it so
// would then reach another section; so the new section goes after the
// last such anonymous section instead, and no existing section's address
// changes (FuzzSuggest found "c interface wan\nc interface").
func (f *File) AddSection(typ, name, comment string, after *Section) (*Section, error) {
	if !validType(typ) {
		return nil, fmt.Errorf("add section of type %q: %w", typ, ErrInvalidName)
	}
	if name != "" && !validName(name) {
		return nil, fmt.Errorf("add section %q: %w", name, ErrInvalidName)
	}
	head := &node{kind: kindConfig, typ: typ, name: name, comment: strings.Join(strings.Fields(comment), " "), edited: true}
	s := &Section{Type: typ, Name: name, file: f, head: head}
	blank := &node{kind: kindBlank, edited: true}
	if after == nil {
		f.nodes = append(f.nodes, blank, head)
		f.sections = append(f.sections, s)
	} else {
		for _, sec := range f.sections[slices.Index(f.sections, after)+1:] {
			if sec.Type == typ && sec.Name == "" {
				after = sec
			}
		}
		anchor := after.last()
		f.insertAfter(anchor, blank)
		f.insertAfter(blank, head)
		i := slices.Index(f.sections, after)
		f.sections = slices.Insert(f.sections, i+1, s)
	}
	// Later sections of the same type move up one in UCI's @type[N].
	count := make(map[string]int)
	for _, sec := range f.sections {
		sec.Index = count[sec.Type]
		count[sec.Type]++
	}
	return s, nil
}

// last is the node after which a new statement of the section goes.
func (s *Section) last() *node {
	if len(s.body) > 0 {
		return s.body[len(s.body)-1]
	}
	return s.head
}

// ref names the section for messages the way uci(1) addresses it.
func (s *Section) ref() string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("@%s[%d]", s.Type, s.Index)
}

// remove marks n deleted and drops it from its section. The node stays in
// f.nodes so Bytes can keep the line structure around it.
func (f *File) remove(n *node) {
	n.deleted = true
	if s := n.section; s != nil {
		s.body = slices.DeleteFunc(s.body, func(m *node) bool { return m == n })
	}
}

func (f *File) insertAfter(anchor, n *node) {
	i := slices.Index(f.nodes, anchor)
	f.nodes = slices.Insert(f.nodes, i+1, n)
}
