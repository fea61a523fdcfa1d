package ndp

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseRouterAdvertisement checks that parsing never panics and that a
// message which parses cleanly survives Marshal → Parse unchanged.
func FuzzParseRouterAdvertisement(f *testing.F) {
	f.Add([]byte{134, 0, 0, 0, 64, 0xc8, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		ra, err := ParseRouterAdvertisement(b)
		if err != nil {
			_ = Validate(Envelope{}, ra, err)
			return
		}
		_ = Validate(Envelope{}, ra, nil)
		_ = ra.String()
		wire, err := ra.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed RA failed: %v\nRA: %+v", err, ra)
		}
		ra2, err := ParseRouterAdvertisement(wire)
		if err != nil {
			t.Fatalf("parse of marshalled RA failed: %v\nwire: % x", err, wire)
		}
		// reflect.DeepEqual first: cmp.Diff took 100 ms on an RA of 2000
		// options (the killer seed), a thousand times the parse, and the
		// fuzzer's minimizer stalled every worker on such inputs (8,007
		// execs in 32 s). cmp.Diff only says what differs.
		if !reflect.DeepEqual(ra, ra2) {
			t.Fatalf("round trip (-first +second):\n%s", cmp.Diff(ra, ra2, cmpOpts...))
		}
	})
}

// FuzzParseRouterSolicitation checks the same property for solicitations.
func FuzzParseRouterSolicitation(f *testing.F) {
	f.Add([]byte{133, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{133, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 1, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRouterSolicitation(b)
		if err != nil {
			return
		}
		rs2, err := ParseRouterSolicitation(MarshalRouterSolicitation(*rs))
		if err != nil {
			t.Fatalf("parse of marshalled RS failed: %v", err)
		}
		if diff := cmp.Diff(rs, rs2); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

var updateKillers = flag.Bool("update-killers", false, "rewrite testdata/fuzz/*/killer-* from TestKillerSeeds")

// raWith is a Router Advertisement header (M=1, O=1, lifetime 1800 s)
// followed by the given option bytes.
func raWith(opts ...byte) []byte {
	return append([]byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}, opts...)
}

// TestKillerSeeds: the Router Advertisements and Solicitations that broke
// other NDP parsers. Each ends in the problem RFC 4861 names (or, for what
// is valid, none), never a panic or a hang; they are also the seeds of the
// fuzz targets (testdata/fuzz/*/killer-*, rewritten with -update-killers).
func TestKillerSeeds(t *testing.T) {
	many := raWith()
	for range 2000 {
		many = append(many, 200, 1, 0, 0, 0, 0, 0, 0) // an unknown option, 2000 times
	}
	tests := []struct {
		name string
		ra   []byte
		want []string // problem IDs from Validate
	}{
		{"option length 0", raWith(5, 0, 0, 0, 0, 0, 0, 0), []string{ProblemOptionLengthZero}},
		{"option length 0 after a good one", raWith(5, 1, 0, 0, 0, 0, 5, 0xdc, 3, 0, 0, 0), []string{ProblemOptionLengthZero}},
		{"source link-layer option of length 255", raWith(1, 255, 2, 0, 0, 0, 0, 1), []string{ProblemOptionTruncated}},
		{"RDNSS of even length", raWith(25, 2, 0, 0, 0, 0, 0x07, 0x08, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0), []string{ProblemOptionMalformed}},
		{"route information /64 in length 1", raWith(24, 1, 64, 0, 0, 0, 0x07, 0x08), []string{ProblemOptionMalformed}},
		{"route information prefix length 129", raWith(append([]byte{24, 3, 129, 0, 0, 0, 0x07, 0x08}, make([]byte, 16)...)...), []string{ProblemOptionMalformed}},
		{"DNSSL compression pointer", raWith(31, 2, 0, 0, 0, 0, 0x07, 0x08, 3, 'i', 's', 'p', 0xc0, 0x10, 0, 0), []string{ProblemOptionMalformed}},
		{"DNSSL pointer loop", raWith(31, 2, 0, 0, 0, 0, 0x07, 0x08, 0xc0, 0x08, 0xc0, 0x08, 0, 0, 0, 0), []string{ProblemOptionMalformed}},
		{"DNSSL label past the option", raWith(31, 2, 0, 0, 0, 0, 0x07, 0x08, 63, 'a', 'b', 0, 0, 0, 0, 0), []string{ProblemOptionMalformed}},
		{"captive portal of odd byte length, padded", raWith(37, 2, 'h', 't', 't', 'p', ':', '/', '/', 'x', '/', 0, 0, 0, 0, 0), nil},
		{"2000 unknown options", many, nil},
		{"header cut", raWith()[:15], []string{ProblemTooShort}},
	}
	env := Envelope{HopLimit: 255, Source: netip.MustParseAddr("fe80::1")}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ra, err := ParseRouterAdvertisement(tc.ra)
			e := env
			e.ICMPLength = len(tc.ra)
			var got []string
			for _, p := range Validate(e, ra, err) {
				got = append(got, p.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nparse error: %v", diff, err)
			}
			if len(tc.ra) <= maxFuzzSeed {
				writeKiller(t, "FuzzParseRouterAdvertisement", tc.name, tc.ra)
			}
		})
	}
	// The fuzz seed of many options is short (maxFuzzSeed).
	writeKiller(t, "FuzzParseRouterAdvertisement", "30 unknown options", many[:raHeaderLen+30*8])
	// An RS whose source link-layer option claims 255 × 8 octets.
	rs := []byte{133, 0, 0, 0, 0, 0, 0, 0, 1, 255, 2, 0, 0, 0, 0, 1}
	if _, err := ParseRouterSolicitation(rs); !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, errOptionPastEnd) {
		t.Errorf("RS with an option of length 255: %v; want it cut short", err)
	}
	writeKiller(t, "FuzzParseRouterSolicitation", "source link-layer option of length 255", rs)
}

// maxFuzzSeed bounds a fuzz seed. Each new input the fuzzer finds is
// minimized before fuzzing goes on, and Go's minimizer tries removing every
// run of bytes: n²/2 runs of the function for an input of n bytes, up to
// -fuzzminimizetime (60 s) per input, with no execs counted meanwhile. The
// old 16 KB seed of 2000 options (each run 4 ms, cmp.Diff 100 ms of it)
// left 8,007 execs in 32 s; a 1.2 KB one of 150 options still stalled the
// workers for half a minute. Mutations make long option lists from short
// ones; the real captures' RAs, up to 562 bytes, stay seeds.
const maxFuzzSeed = 600

func writeKiller(t *testing.T, target, name string, b []byte) {
	t.Helper()
	if len(b) > maxFuzzSeed {
		t.Fatalf("fuzz seed %q is %d octets, more than %d", name, len(b), maxFuzzSeed)
	}
	if !*updateKillers {
		return
	}
	path := filepath.Join("testdata", "fuzz", target, "killer-"+strings.NewReplacer(" ", "-", "/", "").Replace(name))
	if err := os.WriteFile(path, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
		t.Fatal(err)
	}
}
