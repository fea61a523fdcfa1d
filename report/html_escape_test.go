package report

import "testing"

// TestHTMLEscape: the characters that could open a tag, end an attribute
// value of either quote or start an entity are escaped, as html/template
// escaped them; other text, UTF-8 included, is kept.
func TestHTMLEscape(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"plain fe80::1 ✕ é":        "plain fe80::1 ✕ é",
		`<a href="x" title='y'>&`:  "&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;",
		"+ADw-script+AD4-":         "&#43;ADw-script&#43;AD4-",
		"nul\x00byte \xff invalid": "nul\uFFFDbyte \xff invalid",
	} {
		if got := htmlEscape(in); got != want {
			t.Errorf("htmlEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
