package options

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDomainList(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name    string
		in      []byte
		want    []string
		wantErr string
		partial bool
	}{
		{name: "empty", in: nil},
		{
			name: "two names",
			in:   []byte("\x03voo\x02be\x00\x04ipv6\x04test\x03com\x00"),
			want: []string{"voo.be", "ipv6.test.com"},
		},
		{name: "root", in: []byte{0}, want: []string{""}},
		{
			name:    "last name without root label",
			in:      []byte("\x02be\x00\x04host"),
			want:    []string{"be", "host"},
			wantErr: "name 2 at byte 4: domain name is not terminated by the root label",
			partial: true,
		},
		{
			name:    "compression pointer",
			in:      []byte("\x02be\x00\x03foo\xc0\x00"),
			want:    []string{"be"},
			wantErr: "name 2 at byte 4: compression pointer (RFC 8415 §10 forbids compressed names)",
		},
		{
			name:    "reserved label type",
			in:      []byte("\x41x"),
			wantErr: "name 1 at byte 0: label length byte 0x41 uses a reserved label type",
		},
		{
			name:    "label past the end",
			in:      []byte("\x05abc"),
			wantErr: "name 1 at byte 0: label of 5 bytes runs past the field (3 bytes left)",
		},
		{
			name: "255 bytes exactly",
			in:   []byte(strings.Repeat("\x3f"+long, 3) + "\x3d" + long[:61] + "\x00"),
			want: []string{strings.Repeat(long+".", 3) + long[:61]},
		},
		{
			name:    "256 bytes",
			in:      []byte(strings.Repeat("\x3f"+long, 3) + "\x3e" + long[:62] + "\x00"),
			wantErr: "name 1 at byte 0: name longer than 255 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDomainList(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("err %q, want %q", gotErr, tt.wantErr)
			}
			if errors.Is(err, ErrPartialName) != tt.partial {
				t.Errorf("errors.Is(ErrPartialName) = %v, want %v", !tt.partial, tt.partial)
			}
		})
	}
}

func TestAppendName(t *testing.T) {
	tests := []struct {
		name    string
		partial bool
		want    []byte
		wantErr bool
	}{
		{name: "router.example.com", want: []byte("\x06router\x07example\x03com\x00")},
		{name: "router.example.com.", want: []byte("\x06router\x07example\x03com\x00")},
		{name: "", want: []byte{0}},
		{name: ".", want: []byte{0}},
		{name: "openwrt", partial: true, want: []byte("\x07openwrt")},
		{name: "a.b", partial: true, want: []byte("\x01a\x01b")},
		{name: "", partial: true, wantErr: true},
		{name: "host.", partial: true, wantErr: true},
		{name: "a..b", wantErr: true},
		{name: ".a", wantErr: true},
		{name: strings.Repeat("x", 64), wantErr: true},
		{name: strings.Repeat(strings.Repeat("x", 63)+".", 3) + strings.Repeat("x", 62), wantErr: true}, // 256 on the wire
	}
	for _, tt := range tests {
		appendf := AppendName
		if tt.partial {
			appendf = AppendPartialName
		}
		got, err := appendf([]byte{0xee}, tt.name)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%q (partial %v): no error, encoded %x", tt.name, tt.partial, got)
			}
			if !bytes.Equal(got, []byte{0xee}) {
				t.Errorf("%q (partial %v): failed append left %x, want the input untouched", tt.name, tt.partial, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q (partial %v): %v", tt.name, tt.partial, err)
			continue
		}
		if !bytes.Equal(got[1:], tt.want) || got[0] != 0xee {
			t.Errorf("%q (partial %v): got %x, want ee%x", tt.name, tt.partial, got, tt.want)
		}
		// What we append, the parser reads back as the same name.
		names, err := ParseDomainList(got[1:])
		if tt.partial != errors.Is(err, ErrPartialName) || (!tt.partial && err != nil) {
			t.Errorf("%q: parse back: %v", tt.name, err)
		}
		if wantName := strings.TrimSuffix(tt.name, "."); len(names) != 1 || names[0] != wantName {
			t.Errorf("%q: parsed back as %q", tt.name, names)
		}
	}
}

// FuzzParseDomainList checks that no input panics the name decoder, that a
// list without dots inside labels encodes back to the same bytes, and that
// decode → encode is a fixed point after one pass otherwise.
func FuzzParseDomainList(f *testing.F) {
	f.Add([]byte("\x03voo\x02be\x00\x04ipv6\x04test\x03com\x00"))
	f.Add([]byte("\x02be\x00\x04host"))
	f.Add([]byte("\x02be\x00\x03foo\xc0\x00"))
	f.Add([]byte("\x03a.b\x00"))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		names, err := ParseDomainList(b)
		if err != nil {
			return
		}
		once, ok := encodeAll(names)
		if !ok {
			return // a label held a dot that made an empty or long label
		}
		if !bytes.Contains(b, []byte{'.'}) && !bytes.Equal(once, b) {
			t.Errorf("%x decodes to %q, which encodes to %x", b, names, once)
		}
		names2, err := ParseDomainList(once)
		if err != nil {
			t.Fatalf("re-encoded %x does not parse: %v", once, err)
		}
		if twice, _ := encodeAll(names2); !bytes.Equal(twice, once) {
			t.Errorf("not a fixed point: %x → %x", once, twice)
		}
	})
}

func encodeAll(names []string) ([]byte, bool) {
	var b []byte
	for _, n := range names {
		var err error
		if b, err = AppendName(b, n); err != nil {
			return nil, false
		}
	}
	return b, true
}
