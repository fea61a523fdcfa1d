package uciconfig

import (
	"fmt"
	"slices"
)

// The edits below serve ApplyDelta: they do to the lossless file what
// libuci's uci_delete, uci_rename, uci_reorder_section, uci_add_list and
// uci_del_list do to its model (list.c), touching only the statements
// they change.

// deleteSection removes a section's statements; comments and blank lines
// around it stay.
func (f *File) deleteSection(s *Section) {
	for _, n := range slices.Clone(s.body) {
		f.remove(n)
	}
	s.head.deleted = true
	f.sections = slices.DeleteFunc(f.sections, func(x *Section) bool { return x == s })
	f.reindex()
}

// reindex recounts every section's @type[N] index.
func (f *File) reindex() {
	count := make(map[string]int)
	for _, sec := range f.sections {
		sec.Index = count[sec.Type]
		count[sec.Type]++
	}
}

// setType changes the section's type, keeping its options.
func (s *Section) setType(typ string) {
	if s.Type == typ {
		return
	}
	s.Type, s.head.typ, s.head.edited = typ, typ, true
	s.file.reindex()
}

// rename gives the section a name; an anonymous one becomes named.
func (s *Section) rename(name string) {
	s.Name, s.head.name, s.head.edited = name, name, true
}

// renameOption renames every statement of option from to.
func (s *Section) renameOption(from, to string) error {
	if !validName(to) {
		return fmt.Errorf("rename option %q in section %s: %w", to, s.ref(), ErrInvalidName)
	}
	s.DeleteOption(to) // libuci's rename replaces nothing; a later set would win anyway
	for _, n := range s.body {
		if n.name == from {
			n.name, n.edited = to, true
		}
	}
	return nil
}

// addListValue appends value to list name; a plain option of that name
// becomes the list's first element, as uci add_list does.
func (s *Section) addListValue(name, value string) error {
	if !validName(name) {
		return fmt.Errorf("add to list %q in section %s: %w", name, s.ref(), ErrInvalidName)
	}
	n := &node{kind: kindList, name: name, value: value, section: s, edited: true}
	s.file.insertAfter(s.last(), n)
	s.body = append(s.body, n)
	return nil
}

// deleteListValue removes every element of list name equal to value; a
// plain option is left alone, as uci del_list leaves it.
func (s *Section) deleteListValue(name, value string) {
	if !isListOption(s, name) {
		return
	}
	s.keepList(name, func(v string, _ int) bool { return v != value })
}

// deleteListIndex removes element i (from 0) of list name.
func (s *Section) deleteListIndex(name string, i int) {
	s.keepList(name, func(_ string, j int) bool { return j != i })
}

// keepList rewrites list name with the elements keep accepts, each as its
// own list statement where the first one stood.
func (s *Section) keepList(name string, keep func(value string, index int) bool) {
	var kept []string
	for i, v := range s.List(name) {
		if keep(v, i) {
			kept = append(kept, v)
		}
	}
	if len(kept) == len(s.List(name)) {
		return
	}
	var anchor *node
	for _, n := range slices.Clone(s.body) {
		if n.name != name {
			continue
		}
		if anchor == nil {
			anchor = n
		}
		s.file.remove(n)
	}
	idx := slices.Index(s.file.nodes, anchor)
	var added []*node
	for _, v := range kept {
		added = append(added, &node{kind: kindList, name: name, value: v, section: s, edited: true})
	}
	s.file.nodes = slices.Insert(s.file.nodes, idx+1, added...)
	// Keep body in file order.
	s.body = slices.DeleteFunc(slices.Clone(s.file.nodes), func(n *node) bool {
		return n.section != s || n.deleted || (n.kind != kindOption && n.kind != kindList)
	})
}

// moveSection moves a section's statements to position pos in libuci's
// list of sections (uci_list_set_pos: past the end means last). Its
// statements are re-rendered where they land; comments stay where they
// were.
func (f *File) moveSection(s *Section, pos int) {
	others := slices.DeleteFunc(slices.Clone(f.sections), func(x *Section) bool { return x == s })
	pos = min(pos, len(others))
	stmts := append([]*node{s.head}, s.body...)
	f.nodes = slices.DeleteFunc(f.nodes, func(n *node) bool { return slices.Contains(stmts, n) })
	moved := make([]*node, 0, len(stmts)+1)
	for _, n := range stmts {
		m := *n
		m.edited = true
		moved = append(moved, &m)
	}
	// The copies replace the originals in the section.
	s.head = moved[0]
	s.body = moved[1:]
	for _, n := range s.body {
		n.section = s
	}
	at := len(f.nodes)
	if pos < len(others) {
		at = slices.Index(f.nodes, others[pos].head)
	}
	f.nodes = slices.Insert(f.nodes, at, moved...)
	f.sections = slices.Insert(others, pos, s)
	f.reindex()
}
