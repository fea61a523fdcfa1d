package odhcp6c

import (
	"errors"
	"strings"
)

// splitWords splits a command line into words as a POSIX shell does
// before expansion: unquoted spaces, tabs and newlines separate words;
// '…' keeps everything literally; "…" keeps everything but \ before $, `,
// ", \ and a newline; an unquoted \ keeps the next byte (and joins lines
// before a newline). Nothing is expanded: $, `, * and the like are plain
// bytes.
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return words, errors.New("unterminated ' quote")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += 1 + end
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("$`\"\\\n", s[j+1]) >= 0 {
					j++
					if s[j] != '\n' {
						w.WriteByte(s[j])
					}
					continue
				}
				w.WriteByte(s[j])
			}
			if j == len(s) {
				return words, errors.New(`unterminated " quote`)
			}
			i = j
			inWord = true
		case c == '\\':
			if i+1 == len(s) {
				return words, errors.New(`a \ ends the line`)
			}
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
				inWord = true
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// JoinArgv writes words as one shell command line, quoting each word that
// needs it; ParseArgs splits it back into the same words.
func JoinArgv(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w)
	}
	return strings.Join(quoted, " ")
}

// quoteWord quotes a word for a POSIX shell when it holds anything but
// letters, digits and -_./:,=+@%, so that splitWords gives it back.
func quoteWord(w string) string {
	if w == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_./:,=+@%", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
