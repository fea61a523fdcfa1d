package report

import (
	"bufio"
	"bytes"
	"io"
	"sort"
	"strings"
)

// The scanners here and in redact.go are written by hand rather than with
// regexp: regexp costs about 0.2 MB of the 4.5 MB flash budget on mips
// (issue 4). secrets_scan_test.go checks them against the regular
// expressions they replace.

// secretName reports whether a UCI option name looks like it holds a
// secret: PPPoE and wireless passwords, keys, PSKs, tokens (password, key,
// sae_password, private_key, preshared_key, auth_secret, …). Names are
// ASCII ([A-Za-z0-9_]), so ASCII case folding is enough.
func secretName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range [...]string{"pass", "secret", "key", "psk", "token", "cred", "auth"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// minSecretLen is the shortest secret value scrubbed from report text:
// shorter values ("1", a WEP key index) occur in reports by chance and
// would garble them. Config lines are masked by name whatever the length.
const minSecretLen = 4

// uciLine splits an option or list line of a UCI file, name quoted or
// not, as in a config diff ("+\toption password 'x'"): head is everything
// before the value (indent, diff mark, keyword, name, spacing), value the
// rest of the line. ok is false for any other line, and for an option
// without a value.
func uciLine(line string) (head, name, value string, ok bool) {
	i := skipSpace(line, 0)
	if i < len(line) && (line[i] == '-' || line[i] == '+') {
		i = skipSpace(line, i+1)
	}
	switch {
	case strings.HasPrefix(line[i:], "option"):
		i += len("option")
	case strings.HasPrefix(line[i:], "list"):
		i += len("list")
	default:
		return "", "", "", false
	}
	j := skipSpace(line, i)
	if j == i {
		return "", "", "", false
	}
	if j < len(line) && (line[j] == '\'' || line[j] == '"') {
		j++
	}
	start := j
	for j < len(line) && isNameByte(line[j]) {
		j++
	}
	if j == start {
		return "", "", "", false
	}
	name = line[start:j]
	if j < len(line) && (line[j] == '\'' || line[j] == '"') {
		j++
	}
	k := skipSpace(line, j)
	if k == j || strings.IndexByte(line[k:], '\n') >= 0 {
		return "", "", "", false
	}
	return line[:k], name, line[k:], true
}

// skipSpace skips what regexp calls \s: tab, newline, form feed, carriage
// return and space.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	return i
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// SecretValues returns the values of the options in a UCI config whose
// names look like secrets, longest first.
func SecretValues(config []byte) []string {
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(config))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		_, name, value, ok := uciLine(sc.Text())
		if !ok || !secretName(name) {
			continue
		}
		v := unquoteUCI(value)
		if len(v) >= minSecretLen {
			seen[v] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		return len(out[i]) > len(out[j]) || (len(out[i]) == len(out[j]) && out[i] < out[j])
	})
	return out
}

// unquoteUCI takes the value of an option line: 'single', "double" or
// bare, with a trailing comment dropped from a bare value.
func unquoteUCI(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') {
		if i := strings.IndexByte(v[1:], v[0]); i >= 0 {
			return v[1 : i+1]
		}
		return v[1:]
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// secretMask replaces a secret.
const secretMask = "********"

// ScrubSecrets masks in b every option line whose name looks like a
// secret (as in a config diff), and every occurrence of a known secret
// value anywhere.
func ScrubSecrets(b []byte, secrets []string) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	s := NewSecretScrubber(&out, secrets)
	s.Write(b) // a bytes.Buffer does not fail
	s.Close()
	return out.Bytes()
}

// SecretScrubber is ScrubSecrets as a stream: text written to it reaches
// the writer beneath line by line, masked, so a report of megabytes is
// scrubbed without a second copy of it in memory. Line by line is the same
// as the whole text at once: secret values come from single config lines
// (SecretValues), so none spans a newline. Close writes the last line when
// the text does not end in one.
type SecretScrubber struct {
	w       io.Writer
	secrets []string
	// partial is the start of a line whose end has not been written yet.
	partial []byte
	// out gathers scrubbed lines for w, so that a renderer's many small
	// writes reach a file in few system calls.
	out []byte
	err error
}

// scrubFlushSize is how much scrubbed text gathers before it is written.
const scrubFlushSize = 32 << 10

// NewSecretScrubber masks secrets (as SecretValues returns them) in what
// is written through it to w.
func NewSecretScrubber(w io.Writer, secrets []string) *SecretScrubber {
	return &SecretScrubber{w: w, secrets: secrets}
}

// Write masks and passes on every line p completes, and keeps the rest.
func (s *SecretScrubber) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.partial = append(s.partial, p...)
			break
		}
		line := p[:i+1]
		if len(s.partial) > 0 {
			s.partial = append(s.partial, line...)
			line = s.partial
		}
		if s.err = s.writeLine(string(line)); s.err != nil {
			return 0, s.err
		}
		s.partial = s.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Close passes on the last, unterminated line, if any, and what is
// gathered. It does not close the writer beneath.
func (s *SecretScrubber) Close() error {
	if s.err == nil && len(s.partial) > 0 {
		s.err = s.writeLine(string(s.partial))
		s.partial = nil
	}
	if s.err == nil && len(s.out) > 0 {
		_, s.err = s.w.Write(s.out)
		s.out = s.out[:0]
	}
	return s.err
}

// writeLine masks one line (with its line break, if any) and writes it.
func (s *SecretScrubber) writeLine(l string) error {
	body := strings.TrimRight(l, "\r\n")
	if head, name, _, ok := uciLine(body); ok && secretName(name) {
		l = head + "'" + secretMask + "'" + l[len(body):]
	}
	for _, v := range s.secrets {
		if len(v) >= minSecretLen {
			l = strings.ReplaceAll(l, v, secretMask)
		}
	}
	s.out = append(s.out, l...)
	if len(s.out) < scrubFlushSize {
		return nil
	}
	_, err := s.w.Write(s.out)
	s.out = s.out[:0]
	return err
}
