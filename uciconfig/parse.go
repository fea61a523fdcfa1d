package uciconfig

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSyntax is wrapped by every error Parse returns, so callers can tell a
// malformed file (a finding to report) from an I/O failure.
var ErrSyntax = errors.New("uciconfig: syntax error")

// SyntaxError reports where and why a file is not valid UCI.
type SyntaxError struct {
	// Line counts from 1. For an unterminated quote it is the line the quote
	// opened on, not the end of the file where the parser noticed.
	Line int
	// Msg says what is wrong, e.g. "unterminated quote".
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("uciconfig: line %d: %s", e.Line, e.Msg)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// nodeKind says what one node of a File holds.
type nodeKind uint8

const (
	kindBlank   nodeKind = iota // a line of nothing but white space
	kindComment                 // a line whose first non-blank byte is '#'
	kindPackage                 // package NAME
	kindConfig                  // config TYPE [NAME]
	kindOption                  // option NAME [VALUE]
	kindList                    // list NAME [VALUE]
)

// node is one statement, blank line or comment line. raw is exactly the
// input bytes it came from, including its line ending; the concatenation of
// every node's raw text is the input.
type node struct {
	raw  string
	kind nodeKind
	line int // line of the node's first byte, from 1

	typ   string // kindConfig: the section type
	name  string // section, option, list or package name
	value string // kindOption, kindList: the decoded value
	// comment is the text after a '#' on the node's line, trimmed.
	comment string

	section *Section // for kindOption and kindList
	edited  bool     // render canonically instead of raw
	deleted bool     // render nothing (but keep the line structure)
	// dangling marks a node whose last byte, or last line ending, is
	// escaped by a backslash at the end of the input: harmless there, but
	// it would join a line added after it.
	dangling bool
}

// parser walks the whole input at once rather than line by line, because a
// quoted value or a backslash continuation can make one statement span
// several lines.
type parser struct {
	b    []byte
	pos  int
	line int // line number of b[pos]
	// comment is set once an unquoted '#' ends the current statement's
	// arguments; libuci truncates the line there, so every later argument
	// of the statement reads as empty.
	comment bool
	// dangling is set when a backslash reaches the end of the input.
	dangling bool
}

// Parse reads a UCI file. The returned File reproduces b exactly from
// Bytes until it is edited.
func Parse(b []byte) (*File, error) {
	p := &parser{b: b, line: 1}
	f := &File{eol: detectEOL(b)}
	var cur *Section
	typeCount := make(map[string]int)
	for p.pos < len(b) {
		start, line := p.pos, p.line
		n, err := p.statement()
		if err != nil {
			return nil, err
		}
		n.raw = string(b[start:p.pos])
		n.line = line
		n.dangling = p.dangling
		switch n.kind {
		case kindPackage:
			// libuci starts a new package: options need a new section.
			cur = nil
		case kindConfig:
			cur = &Section{
				Type:  n.typ,
				Name:  n.name,
				Index: typeCount[n.typ],
				Line:  line,
				file:  f,
				head:  n,
			}
			typeCount[n.typ]++
			f.sections = append(f.sections, cur)
		case kindOption, kindList:
			if cur == nil {
				return nil, &SyntaxError{Line: line, Msg: keyword(n.kind) + " before the first config section"}
			}
			n.section = cur
			cur.body = append(cur.body, n)
		}
		f.nodes = append(f.nodes, n)
	}
	return f, nil
}

func keyword(k nodeKind) string {
	switch k {
	case kindPackage:
		return "package"
	case kindConfig:
		return "config"
	case kindOption:
		return "option"
	case kindList:
		return "list"
	}
	return "statement"
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// statement parses one node starting at p.pos and leaves p.pos just past
// it: past the line ending, or just past the ';' when another statement
// follows on the same line.
func (p *parser) statement() (*node, error) {
	p.comment = false
	p.skipSpace()
	if p.atEOL() {
		p.endLine()
		return &node{kind: kindBlank}, nil
	}
	if p.b[p.pos] == '#' {
		return &node{kind: kindComment, comment: p.restOfLine()}, nil
	}

	// libuci splits the command word off with strtok(" \t").
	start := p.pos
	for p.pos < len(p.b) && !isSpace(p.b[p.pos]) && p.b[p.pos] != '\n' {
		p.pos++
	}
	word := string(p.b[start:p.pos])
	n := &node{}
	switch word {
	case "config", "c":
		n.kind = kindConfig
	case "option", "o":
		n.kind = kindOption
	case "list", "l":
		n.kind = kindList
	case "package", "p":
		n.kind = kindPackage
	default:
		return nil, p.errorf(p.line, "invalid command %q", clip(word))
	}
	kw := keyword(n.kind)

	switch n.kind {
	case kindConfig:
		typ, err := p.arg()
		if err != nil {
			return nil, err
		}
		if typ == "" {
			return nil, p.errorf(p.line, "config without a section type")
		}
		if !validType(typ) {
			return nil, p.errorf(p.line, "invalid character in section type %q", clip(typ))
		}
		name, err := p.arg()
		if err != nil {
			return nil, err
		}
		if name != "" && !validName(name) {
			return nil, p.errorf(p.line, "invalid character in section name %q", clip(name))
		}
		n.typ, n.name = typ, name
	case kindOption, kindList:
		name, err := p.arg()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, p.errorf(p.line, "%s without a name", kw)
		}
		if !validName(name) {
			return nil, p.errorf(p.line, "invalid character in %s name %q", kw, clip(name))
		}
		value, err := p.arg()
		if err != nil {
			return nil, err
		}
		n.name, n.value = name, value
	case kindPackage:
		name, err := p.arg()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, p.errorf(p.line, "package without a name")
		}
		if !validPackage(name) {
			return nil, p.errorf(p.line, "invalid character in package name %q", clip(name))
		}
		n.name = name
	}

	// libuci's assert_eol in strict mode: one more argument must be empty.
	extra, err := p.arg()
	if err != nil {
		return nil, err
	}
	if extra != "" {
		return nil, p.errorf(p.line, "too many arguments to %s (unexpected %q)", kw, clip(extra))
	}

	if p.comment {
		n.comment = p.restOfLine()
		return n, nil
	}
	// The rest of the line belongs to this node when it is blank or a
	// comment; otherwise another statement follows on the same line.
	end := p.pos
	p.skipSpace()
	switch {
	case p.atEOL():
		p.endLine()
	case p.b[p.pos] == '#':
		n.comment = p.restOfLine()
	default:
		p.pos = end
	}
	return n, nil
}

// arg parses the next argument of a statement (libuci's next_arg). An
// empty result means the argument is absent: the line or statement ended,
// or it was written as an empty quoted string.
func (p *parser) arg() (string, error) {
	if p.comment {
		return "", nil
	}
	p.skipSpace()
	if p.pos < len(p.b) && p.b[p.pos] == ';' {
		p.pos++
		return "", nil
	}
	return p.str()
}

// str decodes one argument (libuci's parse_str): quoted and unquoted parts
// concatenate until white space, a line ending, ';' or '#'.
func (p *parser) str() (string, error) {
	var v []byte
	for p.pos < len(p.b) && !isSpace(p.b[p.pos]) && p.b[p.pos] != '\n' {
		switch c := p.b[p.pos]; c {
		case '\'':
			open := p.line
			p.pos++
			for {
				if p.pos >= len(p.b) {
					return "", p.errorf(open, "unterminated quote")
				}
				c := p.b[p.pos]
				p.pos++
				if c == '\'' {
					break
				}
				if c == '\n' {
					p.line++
				}
				v = append(v, c)
			}
		case '"':
			open := p.line
			p.pos++
			for {
				if p.pos >= len(p.b) {
					return "", p.errorf(open, "unterminated quote")
				}
				c := p.b[p.pos]
				if c == '"' {
					p.pos++
					break
				}
				if c == '\\' {
					v = p.backslash(v)
					continue
				}
				if c == '\n' {
					p.line++
				}
				v = append(v, c)
				p.pos++
			}
		case '#':
			p.comment = true
			return string(v), nil
		case ';':
			// Ends the argument; arg or the next statement consumes it.
			return string(v), nil
		case '\\':
			v = p.backslash(v)
		default:
			v = append(v, c)
			p.pos++
		}
	}
	return string(v), nil
}

// backslash handles a '\' at p.pos outside single quotes: before a line
// ending it joins the next line, at the end of the input it vanishes, and
// otherwise it takes the next byte literally.
func (p *parser) backslash(v []byte) []byte {
	p.pos++
	if n := p.eolLen(); n > 0 {
		p.pos += n
		p.line++
		p.dangling = p.pos == len(p.b)
		return v
	}
	if p.pos >= len(p.b) {
		p.dangling = true
		return v
	}
	v = append(v, p.b[p.pos])
	p.pos++
	return v
}

// restOfLine consumes from p.pos (a '#') to the end of the line and
// returns the comment text after the '#'.
func (p *parser) restOfLine() string {
	start := p.pos
	for p.pos < len(p.b) && p.eolLen() == 0 {
		p.pos++
	}
	text := string(p.b[start:p.pos])
	p.endLine()
	return strings.TrimSpace(strings.TrimPrefix(text, "#"))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.b) && isSpace(p.b[p.pos]) && p.eolLen() == 0 {
		p.pos++
	}
}

// eolLen is the length of the line ending at p.pos: 1 for LF, 2 for CRLF,
// 0 when p.pos is not at one.
func (p *parser) eolLen() int {
	switch {
	case p.pos >= len(p.b):
		return 0
	case p.b[p.pos] == '\n':
		return 1
	case p.b[p.pos] == '\r' && p.pos+1 < len(p.b) && p.b[p.pos+1] == '\n':
		return 2
	}
	return 0
}

func (p *parser) atEOL() bool { return p.pos >= len(p.b) || p.eolLen() > 0 }

func (p *parser) endLine() {
	if n := p.eolLen(); n > 0 {
		p.pos += n
		p.line++
	}
}

// isSpace is C's isspace without '\n', which the parser treats as the end
// of a line. A lone '\r' is white space; "\r\n" is a line ending.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// validName is libuci's rule for section and option names.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validPackage also allows '-', as libuci does for package names.
func validPackage(s string) bool {
	return validName(strings.ReplaceAll(s, "-", "_"))
}

// validType is libuci's rule for section types: printable ASCII without
// white space.
func validType(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// detectEOL returns the line ending of the first line, which new lines
// copy so a CRLF file stays CRLF.
func detectEOL(b []byte) string {
	for i, c := range b {
		if c == '\n' {
			if i > 0 && b[i-1] == '\r' {
				return "\r\n"
			}
			return "\n"
		}
	}
	return "\n"
}
