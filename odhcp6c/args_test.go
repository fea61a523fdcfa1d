package odhcp6c

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func iaid(n uint32) [4]byte { return [4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)} }

func set(n int) IntArg { return IntArg{Value: n, Given: true} }

// argsCases are command lines odhcp6c accepts, with the Args, interface
// and canonical form (String) they read as. TestParseArgsAgainstOdhcp6c
// runs the real odhcp6c over the same lines.
var argsCases = []struct {
	name   string
	in     string
	want   Args
	iface  string
	string string
}{
	{
		name:   "netifd defaults",
		in:     "-P0 -t120",
		want:   Args{Prefixes: []PrefixRequest{{IAID: iaid(1)}}, SolicitMaxRT: set(120)},
		string: "-P0 -t120",
	},
	{
		name:   "classic troubleshooting line",
		in:     "-Nforce -P48 -t120 wan",
		want:   Args{Addresses: AddressForce, Prefixes: []PrefixRequest{{Length: 48, IAID: iaid(1)}}, SolicitMaxRT: set(120)},
		iface:  "wan",
		string: "-Nforce -P48 -t120",
	},
	{
		name:   "values as separate words, interface first (getopt permutes)",
		in:     "wan -N force -P 48",
		want:   Args{Addresses: AddressForce, Prefixes: []PrefixRequest{{Length: 48, IAID: iaid(1)}}},
		iface:  "wan",
		string: "-Nforce -P48",
	},
	{
		name:   "netifd's full shell line from ps",
		in:     "/usr/sbin/odhcp6c -s /lib/netifd/dhcpv6.script -Ntry -P0 -c00030001020000000001 -R -S -F -k -U -f -a -ieui64 -Vabcd -uoffice -L -K2 -m5 -v -x500:ab -r23 -r64 -t120 wan",
		iface:  "wan",
		string: "-Ntry -P0 -c00030001020000000001 -R -S -F -k -U -f -a -ieui64 -Vabcd -uoffice -L -K2 -m5 -v -x500:ab -r23 -r64 -t120",
		want: Args{
			Addresses: AddressTry, Prefixes: []PrefixRequest{{IAID: iaid(1)}},
			ClientID:      []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 1},
			StrictOptions: true, NoSLAACOnly: true, ForcePrefix: true, NoRelease: true, NoServerUnicast: true,
			NoClientFQDN: true, NoAcceptReconfig: true, InterfaceID: "eui64", VendorClass: "abcd", UserClass: "office",
			KeepRADNSLifetime: true, SKPriority: set(2), RAHoldoff: set(5), Verbose: true, SendOptions: []string{"500:ab"},
			RequestedOptions: []uint16{23, 64}, SolicitMaxRT: set(120),
		},
	},
	{
		name:   "grouped flags, a value after them, the long option by a prefix",
		in:     "-kfP56 --strict eth0",
		want:   Args{NoRelease: true, NoClientFQDN: true, StrictRFC7550: true, Prefixes: []PrefixRequest{{Length: 56, IAID: iaid(1)}}},
		iface:  "eth0",
		string: "-P56 -k --strict-rfc7550 -f",
	},
	{
		name: "-P forms: auto IAIDs skip the explicit ones",
		in:   "-P48:5 -P56 -P2001:db8::/56,ab -P 64, -P ::ffff:10.0.0.0/0:1ffffffff",
		want: Args{Prefixes: []PrefixRequest{
			{Length: 48, IAID: iaid(5), ExplicitIAID: true},
			{Length: 56, IAID: iaid(1)},
			{Length: 56, Hint: netip.MustParseAddr("2001:db8::"), IAID: [4]byte{'a', 'b'}, ExplicitIAID: true},
			{Length: 64, IAID: iaid(2)},
			{Length: 0, Hint: netip.MustParseAddr("::ffff:10.0.0.0"), IAID: iaid(0xffffffff), ExplicitIAID: true},
		}},
		string: "-P48:5 -P56 -P2001:db8::/56:61620000 -P64 -P::ffff:10.0.0.0/0:ffffffff",
	},
	{
		name:   "-P lengths as odhcp6c keeps them: 8 bits",
		in:     "-P300 -P-1 -P '' -P+7",
		want:   Args{Prefixes: []PrefixRequest{{Length: 44, IAID: iaid(1)}, {Length: 255, IAID: iaid(2)}, {IAID: iaid(3)}, {Length: 7, IAID: iaid(4)}}},
		string: "-P44 -P255 -P0 -P7",
	},
	{
		name:   "-c with separators and a lone trailing digit",
		in:     "-c '00:03 00-01/aa0'",
		want:   Args{ClientID: []byte{0, 3, 0, 1, 0xaa}},
		string: "-c00030001aa",
	},
	{
		name:   "-r lists: any one separator, a stop at the first gap",
		in:     "-r23,24 -r '25 26' -r 27x28 -r 29,,30 -r abc -r 70000 -r -1",
		want:   Args{RequestedOptions: []uint16{23, 24, 25, 26, 27, 28, 29, 4464, 65535}},
		string: "-r23 -r24 -r25 -r26 -r27 -r28 -r29 -r4464 -r65535",
	},
	{
		name:   "the last -N wins, but -Nforce's -S stays",
		in:     "-Nforce -Ntry",
		want:   Args{Addresses: AddressTry, NoSLAACOnly: true},
		string: "-Ntry -S",
	},
	{
		name:   "numbers read with atoi; -t0 is no bound, not the default",
		in:     "-K7x -tabc -C 70 -m -3 -l 9 -t0",
		want:   Args{SKPriority: set(7), DSCP: set(70), RAHoldoff: set(-3), LogLevel: set(9), SolicitMaxRT: set(0)},
		string: "-K7 -m-3 -l9 -t0 -C70",
	},
	{
		name:   "invocation options are read and dropped",
		in:     "-e -s /bin/true -p /tmp/x.pid -E -d -P0",
		want:   Args{Prefixes: []PrefixRequest{{IAID: iaid(1)}}},
		string: "-P0",
	},
	{
		name:   "-- ends the options; the first other word is the interface",
		in:     "-P0 wan extra -- -k",
		want:   Args{Prefixes: []PrefixRequest{{IAID: iaid(1)}}},
		iface:  "wan",
		string: "-P0",
	},
	{
		name:   "-i and -u values that need quoting",
		in:     `-i 'not an id' -u "a b,c" -x "dns:2001:db8::1 2001:db8::2"`,
		want:   Args{InterfaceID: "not an id", UserClass: "a b,c", SendOptions: []string{"dns:2001:db8::1 2001:db8::2"}},
		string: "'-inot an id' '-ua b,c' '-xdns:2001:db8::1 2001:db8::2'",
	},
	{
		name:   "-x by name, hex code, octal code, quoted string",
		in:     `-x search:example.com -x 0x1f4:ABBA -x 0755:00 -x 202:'"file"'`,
		want:   Args{SendOptions: []string{"search:example.com", "0x1f4:ABBA", "0755:00", `202:"file"`}},
		string: `-xsearch:example.com -x0x1f4:ABBA -x0755:00 '-x202:"file"'`,
	},
}

func TestParseArgs(t *testing.T) {
	for _, c := range argsCases {
		t.Run(c.name, func(t *testing.T) {
			got, iface, err := ParseArgs(c.in)
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", c.in, err)
			}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("ParseArgs(%q) (-want +got):\n%s", c.in, diff)
			}
			if iface != c.iface {
				t.Errorf("interface %q, want %q", iface, c.iface)
			}
			if s := got.String(); s != c.string {
				t.Errorf("String() = %q, want %q", s, c.string)
			}
			again, _, err := ParseArgs(got.String())
			if err != nil {
				t.Fatalf("ParseArgs(String()): %v", err)
			}
			if diff := cmp.Diff(got, again, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("String() does not read back (-first +again):\n%s", diff)
			}
		})
	}
}

// refusedCases are command lines odhcp6c refuses (usage or "invalid
// argument", exit 1) or takes in a way v6diag does not model.
var refusedCases = []struct {
	in          string
	arg         string
	word, words int
	err         error
}{
	{"-Nbogus", "-Nbogus", 0, 1, ErrRefused},
	{"-P0 -N", "-N", 1, 1, ErrRefused},
	{"-P0 -N bogus wan", "-N bogus", 1, 2, ErrRefused},
	{"-P abc", "-P abc", 0, 2, ErrRefused},
	{"-P48x", "-P48x", 0, 1, ErrRefused},
	{"-P fe80::1%eth0/64", "-P fe80::1%eth0/64", 0, 2, ErrRefused},
	{"-P 10.0.0.0/8", "-P 10.0.0.0/8", 0, 2, ErrRefused},
	{"-c 0", "-c 0", 0, 2, ErrRefused},
	{"-c zz", "-c zz", 0, 2, ErrRefused},
	{"-c :00", "-c :00", 0, 2, ErrRefused},
	{"-c ''", "-c ", 0, 2, ErrRefused},
	{"-V ''", "-V ", 0, 2, ErrRefused},
	{"-V foo", "-V foo", 0, 2, ErrRefused},
	{"-x 16:ab -V cd", "-V cd", 2, 2, ErrRefused},
	{"-x 15:office -u other", "-u other", 2, 2, ErrRefused},
	{"-x 1:ab", "-x 1:ab", 0, 2, ErrRefused},
	{"-x 64:ab", "-x 64:ab", 0, 2, ErrRefused},
	{"-x 70000:ab", "-x 70000:ab", 0, 2, ErrRefused},
	{"-x ab", "-x ab", 0, 2, ErrRefused},
	{"-x 15:", "-x 15:", 0, 2, ErrRefused},
	{"-x dns:2001::1,,2001::2", "-x dns:2001::1,,2001::2", 0, 2, ErrRefused},
	{"-x mud_url_v6:a,b", "-x mud_url_v6:a,b", 0, 2, ErrRefused},
	{"-x search:a..b", "-x search:a..b", 0, 2, ErrRefused},
	{"-x 500:'a b'", "-x 500:a b", 0, 2, ErrRefused},
	{`-x "500:'a b'"`, "-x 500:'a b'", 0, 2, ErrRefused},
	{`-x "500:''"`, "-x 500:''", 0, 2, ErrRefused},
	{"-x 500:", "-x 500:", 0, 2, ErrRefused},
	{"-h", "-h", 0, 1, ErrRefused},
	{"-B 5", "-B 5", 0, 2, ErrRefused},
	{"-kZ", "-Z", 0, 1, ErrRefused},
	{"-k:", "-:", 0, 1, ErrRefused},
	{"--foo", "--foo", 0, 1, ErrRefused},
	{"--strict-rfc7550=1", "--strict-rfc7550=1", 0, 1, ErrRefused},
	{"-c 00 -c 01", "-c 01", 2, 2, ErrUnsupported},
	{"-u ''", "-u ", 0, 2, ErrUnsupported},
}

func TestParseArgsRefused(t *testing.T) {
	for _, c := range refusedCases {
		_, _, err := ParseArgs(c.in)
		var ae *ArgError
		if !errors.As(err, &ae) || !errors.Is(err, c.err) {
			t.Errorf("ParseArgs(%q) = %v, want an *ArgError wrapping %v", c.in, err, c.err)
			continue
		}
		if ae.Arg != c.arg || ae.Word != c.word || ae.Words != c.words {
			t.Errorf("ParseArgs(%q): argument %q at word %d (+%d), want %q at %d (+%d)", c.in, ae.Arg, ae.Word, ae.Words, c.arg, c.word, c.words)
		}
	}
}

func TestParseArgsLimits(t *testing.T) {
	var many []string
	for range maxPrefixRequests + 1 {
		many = append(many, "-P0")
	}
	if _, _, err := ParseArgv(many); !errors.Is(err, ErrRefused) {
		t.Errorf("%d -P: %v, want odhcp6c's refusal", len(many), err)
	}
	if _, _, err := ParseArgv(many[1:]); err != nil {
		t.Errorf("%d -P: %v", len(many)-1, err)
	}
	big := make([]byte, 2*1000)
	for i := range big {
		big[i] = 'a'
	}
	if _, _, err := ParseArgv([]string{"-V" + string(big), "-u" + string(big[:100])}); !errors.Is(err, ErrRefused) {
		t.Errorf("options of more than 1024 bytes: %v, want odhcp6c's refusal", err)
	}
}

func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  -a\t-b\n", []string{"-a", "-b"}},
		{`-u'a b'"c d"e\ f`, []string{"-ua bc de f"}},
		{`"\$x\"\\\a"`, []string{`$x"\\a`}},
		{"'' x", []string{"", "x"}},
		{"a\\\nb", []string{"ab"}},
		{`'it'\''s'`, []string{"it's"}},
	} {
		got, err := splitWords(c.in)
		if err != nil || !cmp.Equal(got, c.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"'a", `"a`, `a\`} {
		if _, err := splitWords(in); err == nil {
			t.Errorf("splitWords(%q) succeeded, want an error", in)
		}
	}
	if _, _, err := ParseArgs("-P'48"); err == nil {
		t.Errorf("ParseArgs with an open quote succeeded")
	}
}

func TestExtraOptions(t *testing.T) {
	a, _, err := ParseArgs(`-V 0000a0b4aa -u "office,lab" -x dns:2001:db8::1,2001:db8::2 -x search:example.com. -x 0x1f4:AB:BA -x 202:'"file"' -x ntpserver:0001 -x mud_url_v6:https://x`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.ExtraOptions()
	if err != nil {
		t.Fatal(err)
	}
	type opt = struct {
		Code uint16
		Body []byte
	}
	var gotOpts []opt
	for _, o := range got {
		gotOpts = append(gotOpts, opt{uint16(o.Code), o.Body})
	}
	want := []opt{
		{16, []byte{0, 0, 0xa0, 0xb4, 0xaa}},
		{15, []byte{0, 6, 'o', 'f', 'f', 'i', 'c', 'e', 0, 3, 'l', 'a', 'b'}},
		{23, append(netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("2001:db8::2").AsSlice()...)},
		{24, []byte{7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}},
		{500, []byte{0xab, 0xba}},
		{202, []byte("file")},
		{56, []byte{0, 1}},
		{112, []byte("https://x")},
	}
	if diff := cmp.Diff(want, gotOpts); diff != "" {
		t.Errorf("ExtraOptions (-want +got):\n%s", diff)
	}
	if _, err := (Args{VendorClass: "zz"}).ExtraOptions(); err == nil {
		t.Errorf("ExtraOptions of a hand-made -V zz succeeded")
	}
	if _, err := (Args{SendOptions: []string{"16:ab"}, VendorClass: "cd"}).ExtraOptions(); err == nil {
		t.Errorf("ExtraOptions with option 16 twice succeeded")
	}
}

func TestArgvOrder(t *testing.T) {
	a := Args{
		Addresses: AddressNone, Prefixes: []PrefixRequest{{Length: 56}}, ClientID: []byte{0, 1},
		StrictOptions: true, NoSLAACOnly: true, ForcePrefix: true, NoRelease: true, StrictRFC7550: true,
		NoServerUnicast: true, NoClientFQDN: true, NoAcceptReconfig: true, InterfaceID: "random",
		VendorClass: "00", UserClass: "u", KeepRADNSLifetime: true, SKPriority: set(1), RAHoldoff: set(2),
		Verbose: true, LogLevel: set(7), SendOptions: []string{"15:a", "16:00"}, RequestedOptions: []uint16{23, 24},
		SolicitMaxRT: set(60), StatefulOnly: true, DSCP: set(3),
	}
	want := []string{"-Nnone", "-P56", "-c0001", "-R", "-S", "-F", "-k", "--strict-rfc7550", "-U", "-f", "-a",
		"-irandom", "-V00", "-uu", "-L", "-K1", "-m2", "-v", "-l7", "-x15:a", "-x16:00", "-r23", "-r24", "-t60", "-D", "-C3"}
	if diff := cmp.Diff(want, a.Argv()); diff != "" {
		t.Errorf("Argv (-want +got):\n%s", diff)
	}
}

func TestSolicitMaxRTAndWarnings(t *testing.T) {
	for _, c := range []struct {
		in       string
		seconds  int
		warnings int
	}{
		{"-P0", 120, 0},
		{"-t60", 60, 0},
		{"-t0", 0, 0},
		{"-t65535", 65535, 0},
		{"-t65536", 120, 1},
		{"-t-1", 120, 1},
		{"-K6 -C63 -ieui64 -i::1:2", 120, 0},
		{"-K7 -C64 -ibogus -P200", 120, 4},
	} {
		a, _, err := ParseArgs(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.SolicitMaxRTSeconds(); got != c.seconds {
			t.Errorf("%q: SolicitMaxRTSeconds = %d, want %d", c.in, got, c.seconds)
		}
		if got := a.Warnings(); len(got) != c.warnings {
			t.Errorf("%q: Warnings = %q, want %d", c.in, got, c.warnings)
		}
	}
}

// FuzzParseArgs checks that ParseArgs never panics, that what it accepts
// writes back (String, Argv) to arguments that read as the same Args, and
// that a refusal names a word of the line.
func FuzzParseArgs(f *testing.F) {
	for _, c := range argsCases {
		f.Add(c.in)
	}
	for _, c := range refusedCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, _, err := ParseArgs(line)
		if err != nil {
			var ae *ArgError
			if errors.As(err, &ae) {
				words, _ := splitWords(line)
				if ae.Word < 0 || ae.Words < 1 || ae.Word+ae.Words > len(words)+1 {
					t.Fatalf("%q: error %v names words %d+%d of %d", line, err, ae.Word, ae.Words, len(words))
				}
			}
			return
		}
		for _, form := range []string{"String", "Argv"} {
			var again Args
			var err error
			if form == "String" {
				again, _, err = ParseArgs(a.String())
			} else {
				again, _, err = ParseArgv(a.Argv())
			}
			if err != nil {
				t.Fatalf("%q: %s %q does not parse: %v", line, form, a.String(), err)
			}
			if diff := cmp.Diff(a, again, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Fatalf("%q: %s %q reads differently (-first +again):\n%s", line, form, a.String(), diff)
			}
		}
		if _, err := a.ExtraOptions(); err != nil {
			t.Fatalf("%q: accepted, but ExtraOptions fails: %v", line, err)
		}
	})
}
