package dhcpv6

import (
	"bufio"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mustHex decodes hex written with spaces, newlines and // comments.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "//")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// capture is one DHCPv6 payload from testdata/captures.txt.
type capture struct {
	file  string
	frame string
	data  []byte
}

// loadCaptures reads the payloads extracted from /work/shared/captures.
func loadCaptures(t testing.TB) []capture {
	t.Helper()
	f, err := os.Open("testdata/captures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []capture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Fields(line)
		if len(p) != 3 {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, capture{file: p[0], frame: p[1], data: mustHex(t, p[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func findCapture(t testing.TB, file, frame string) []byte {
	t.Helper()
	for _, c := range loadCaptures(t) {
		if strings.Contains(c.file, file) && c.frame == frame {
			return c.data
		}
	}
	t.Fatalf("no capture %s frame %s", file, frame)
	return nil
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{MessageTypeSolicit.String(), "Solicit"},
		{MessageTypeInformationRequest.String(), "Information-request"},
		{MessageTypeRelayForward.String(), "Relay-forw"},
		{MessageTypeRelayReply.String(), "Relay-repl"},
		{MessageType(0).String(), "MessageType(0)"},
		{MessageType(14).String(), "Leasequery"},
		{MessageType(20).String(), "DHCPv4-query"},
		{MessageType(35).String(), "CONTACT"},
		{MessageType(36).String(), "MessageType(36)"},
		{TransactionID{0x1a, 0x2b, 0x3c}.String(), "0x1a2b3c"},
		{TransactionID{0, 0, 1}.String(), "0x000001"},
		{Status{Code: 0}.Name(), "Success"},
		{Status{Code: 6}.Name(), "NoPrefixAvail"},
		{Status{Code: 7}.Name(), "Status(7)"},
		{Status{Code: 2, Message: "none left"}.String(), `NoAddrsAvail "none left"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestParseCaptures checks decoded values of real exchanges against what
// tshark shows for the same frames.
func TestParseCaptures(t *testing.T) {
	tcpdumpCID := DUID(mustHex(t, "00030001000102030405"))
	tests := []struct {
		name        string
		file, frame string
		want        *Message
	}{
		{
			name: "tcpdump IA_PD Advertise",
			file: "dhcpv6-ia-pd.pcap", frame: "2",
			want: &Message{
				Type:          MessageTypeAdvertise,
				TransactionID: TransactionID{0xe1, 0xe0, 0x93},
				ClientID:      tcpdumpCID,
				ServerID:      DUID(mustHex(t, "0001000118464999001122334455")),
				IAPD: []IA{{
					IAID: [4]byte{2, 3, 4, 5}, T1: time.Hour, T2: 90 * time.Minute,
					Prefixes: []IAPrefix{{
						Prefix:            netip.MustParsePrefix("2a00:1:1:100::/56"),
						PreferredLifetime: 75 * time.Minute, ValidLifetime: 2 * time.Hour,
					}},
				}},
				OptionCodes: []OptionCode{25, 1, 2},
			},
		},
		{
			name: "tcpdump IA_PD Request",
			file: "dhcpv6-ia-pd.pcap", frame: "3",
			want: &Message{
				Type:             MessageTypeRequest,
				TransactionID:    TransactionID{0x12, 0xb0, 0x8a},
				ClientID:         tcpdumpCID,
				ServerID:         DUID(mustHex(t, "0001000118464999001122334455")),
				RequestedOptions: []OptionCode{23, 24},
				ElapsedTime:      ptr(time.Duration(0)),
				IAPD: []IA{{
					IAID: [4]byte{2, 3, 4, 5}, T1: time.Hour, T2: 90 * time.Minute,
					Prefixes: []IAPrefix{{
						Prefix:            netip.MustParsePrefix("2a00:1:1:100::/56"),
						PreferredLifetime: 2 * time.Hour, ValidLifetime: 125 * time.Minute,
					}},
				}},
				OptionCodes: []OptionCode{1, 2, 6, 8, 25},
			},
		},
		{
			name: "packetgen pcapng Release",
			file: "lemontree55", frame: "5",
			want: &Message{
				Type:             MessageTypeRelease,
				TransactionID:    TransactionID{0xc7, 0x89, 0xb0},
				ClientID:         DUID(mustHex(t, "000100011c39cf88080027fe8f95")),
				ServerID:         DUID(mustHex(t, "000100011c3825e8080027d410bb")),
				RequestedOptions: []OptionCode{23, 24},
				ElapsedTime:      ptr(time.Duration(0)),
				IAPD: []IA{{
					IAID:     [4]byte{0x27, 0xfe, 0x8f, 0x95},
					Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2001:0:0:fe00::/64")}},
				}},
				OptionCodes: []OptionCode{1, 2, 6, 8, 25},
			},
		},
		{
			name: "packetgen pcapng Reply to Release",
			file: "lemontree55", frame: "6",
			want: &Message{
				Type:          MessageTypeReply,
				TransactionID: TransactionID{0xc7, 0x89, 0xb0},
				ClientID:      DUID(mustHex(t, "000100011c39cf88080027fe8f95")),
				ServerID:      DUID(mustHex(t, "000100011c3825e8080027d410bb")),
				Status:        &Status{Code: StatusSuccess, Message: "Release received."},
				OptionCodes:   []OptionCode{1, 2, 13},
			},
		},
		{
			name: "zeek PPPoE Advertise",
			file: "zeek_zeek__testing_btest_Traces_pppoe", frame: "37",
			want: &Message{
				Type:          MessageTypeAdvertise,
				TransactionID: TransactionID{0xfc, 0x24, 0xab},
				ClientID:      DUID(mustHex(t, "00030001cc050e880000")),
				ServerID:      DUID(mustHex(t, "00030001ca010e880008")),
				DomainSearch:  []string{"ipv6.test.com"},
				IAPD: []IA{{
					IAID: [4]byte{0, 9, 0, 1}, T1: 62 * time.Second, T2: 122 * time.Second,
					Prefixes: []IAPrefix{{
						Prefix:            netip.MustParsePrefix("fc00:0:2:100::/56"),
						PreferredLifetime: 125 * time.Second, ValidLifetime: 125 * time.Second,
					}},
				}},
				OptionCodes: []OptionCode{2, 1, 24, 25},
			},
		},
		{
			name: "tcpdump DUID-UUID Reply with DNS and domain list",
			file: "rfc6355-duid-uuid", frame: "2",
			want: &Message{
				Type:          MessageTypeReply,
				TransactionID: TransactionID{0x09, 0xf5, 0x6b},
				ClientID:      DUID(mustHex(t, "0004a256e92e40abd0d2a3ab3b3ff2ff8998")),
				ServerID:      DUID(mustHex(t, "00030001a021b7e0d871")),
				IANA: []IA{{
					IAID: [4]byte{0x39, 0xe7, 0x14, 0x84}, T1: 15 * time.Second, T2: 45 * time.Second,
					Addresses: []IAAddress{{
						Address:           netip.MustParseAddr("2a02:2788:7c8:4dd:4a5b:39ff:fee7:1484"),
						PreferredLifetime: 30 * time.Second, ValidLifetime: time.Minute,
					}},
				}},
				DNSServers: []netip.Addr{
					netip.MustParseAddr("2a02:2788:fff0:7::3"),
					netip.MustParseAddr("2a02:2788:fff0:5::140"),
				},
				DomainSearch: []string{"voo.be"},
				OptionCodes:  []OptionCode{1, 3, 23, 24, 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(findCapture(t, tt.file, tt.frame))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRelayedCapture(t *testing.T) {
	// tcpdump dhcpv6-mud.pcap frame 1: Relay-forw wrapping a Solicit.
	m, err := Parse(findCapture(t, "dhcpv6-mud", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if m.RelayHops != 1 || m.Type != MessageTypeSolicit || m.TransactionID.String() != "0x78244b" {
		t.Errorf("got %v %v hops %d, want Solicit 0x78244b hops 1", m.Type, m.TransactionID, m.RelayHops)
	}
	if got, want := m.ClientID.String(), "000100011e62770bb827ebb853c8"; got != want {
		t.Errorf("Client ID %s, want %s", got, want)
	}
}

// TestParseAllCaptures: every payload in the captures decodes or fails
// with ErrMalformed; none panics.
func TestParseAllCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		m, err := Parse(c.data)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s frame %s: error %v does not wrap ErrMalformed", c.file, c.frame, err)
		}
		if err == nil && m == nil {
			t.Errorf("%s frame %s: nil message without error", c.file, c.frame)
		}
	}
}

// opt builds one option TLV.
func opt(code uint16, body []byte) []byte {
	return append([]byte{byte(code >> 8), byte(code), byte(len(body) >> 8), byte(len(body))}, body...)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func relayForw(inner []byte) []byte {
	return cat([]byte{12, 0}, make([]byte, 32), opt(9, inner))
}

func TestParseMalformed(t *testing.T) {
	hdr := []byte{2, 0xaa, 0xbb, 0xcc} // Advertise 0xaabbcc
	cid := opt(1, mustHex(t, "00030001000102030405"))
	prefix := func(bits byte, n int) []byte { // IA Prefix body cut to n bytes
		b := cat(mustHex(t, "00000e10 00001c20"), []byte{bits}, mustHex(t, "2a000001000101000000000000000000"))
		return b[:n]
	}
	nested := func(depth int) []byte {
		b := cat([]byte{7, 1, 2, 3}, cid)
		for range depth {
			b = relayForw(b)
		}
		return b
	}
	tests := []struct {
		name    string
		in      []byte
		wantErr string // substring; "" means no error
	}{
		{"empty", nil, "message is 0 bytes"},
		{"short header", []byte{1, 2}, "message is 2 bytes"},
		{"option length 0xFFFF", cat(hdr, mustHex(t, "0003ffff"), make([]byte, 40)), "option 3 length 65535 runs past the message (40 bytes left)"},
		{"option length 0xFFFC", cat(hdr, mustHex(t, "0001fffc 0102")), "option 1 length 65532 runs past the message (2 bytes left)"},
		{"option length 0xFFFD", cat(hdr, cid, mustHex(t, "0019fffd")), "option 25 length 65533 runs past the message (0 bytes left)"},
		{"option length 0xFFFE", cat(hdr, mustHex(t, "000dfffe 00")), "option 13 length 65534"},
		{"truncated option header", cat(hdr, cid, []byte{0, 3, 0}), "3 trailing bytes are too short for an option header"},
		{"truncated option body", cat(hdr, mustHex(t, "00010010 0003000100"), nil), "option 1 length 16 runs past the message (5 bytes left)"},
		{"IA_NA empty", cat(hdr, cid, opt(3, nil)), "IA_NA option length 0 shorter than 12"},
		{"IA_NA 11 bytes", cat(hdr, cid, opt(3, make([]byte, 11))), "IA_NA option length 11 shorter than 12"},
		{"IA_PD empty", cat(hdr, opt(25, nil)), "IA_PD option length 0 shorter than 12"},
		{"IA_PD 8 bytes", cat(hdr, opt(25, make([]byte, 8))), "IA_PD option length 8 shorter than 12"},
		{"IA_PD inner option overruns", cat(hdr, opt(25, cat(make([]byte, 12), mustHex(t, "001a0019 00")))), "IA_PD: IA Prefix option 26 length 25 runs past the message (1 bytes left)"},
		{"IA Prefix 24 bytes", cat(hdr, opt(25, cat(make([]byte, 12), opt(26, prefix(56, 24))))), "IA_PD: IA Prefix option length 24 shorter than 25"},
		{"IA Prefix empty", cat(hdr, opt(25, cat(make([]byte, 12), opt(26, nil)))), "IA Prefix option length 0 shorter than 25"},
		{"IA Prefix length 129", cat(hdr, opt(25, cat(make([]byte, 12), opt(26, prefix(129, 25))))), "IA Prefix length 129 longer than 128"},
		{"IA Prefix length 255", cat(hdr, opt(25, cat(make([]byte, 12), opt(26, prefix(255, 25))))), "IA Prefix length 255 longer than 128"},
		{"IA Address 23 bytes", cat(hdr, opt(3, cat(make([]byte, 12), opt(5, make([]byte, 23))))), "IA_NA: IA Address option length 23 shorter than 24"},
		{"IA Address inner overrun", cat(hdr, opt(3, cat(make([]byte, 12), opt(5, cat(make([]byte, 24), []byte{0, 13}))))), "IA_NA: IA Address ::: 2 trailing bytes"},
		{"relay nested 8 deep", nested(8), ""},
		{"relay nested 9 deep", nested(9), "relay messages nested deeper than 8"},
		{"relay without Relay Message", cat([]byte{12, 0}, make([]byte, 32), cid), "Relay-forw layer 1 carries no Relay Message option"},
		{"relay header short", cat([]byte{13, 0}, make([]byte, 20)), "Relay-repl header is 22 bytes, shorter than 34"},
		{"relayed message malformed", relayForw(cat(hdr, opt(25, make([]byte, 4)))), "IA_PD option length 4 shorter than 12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error containing %q", m, tt.wantErr)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseMalformedKeepsHeader(t *testing.T) {
	m, err := Parse(cat([]byte{2, 0xaa, 0xbb, 0xcc}, opt(25, make([]byte, 8))))
	if err == nil || m == nil {
		t.Fatalf("got %v, %v; want partial message and error", m, err)
	}
	if m.Type != MessageTypeAdvertise || m.TransactionID != (TransactionID{0xaa, 0xbb, 0xcc}) {
		t.Errorf("partial message %v %v, want Advertise 0xaabbcc", m.Type, m.TransactionID)
	}
}

// TestParseProblems: faults that leave the framing intact are recorded,
// not fatal.
func TestParseProblems(t *testing.T) {
	hdr := []byte{7, 1, 2, 3}
	long := make([]byte, 131)
	long[1] = 4
	tests := []struct {
		name  string
		in    []byte
		want  []string
		check func(t *testing.T, m *Message)
	}{
		{
			name: "empty Client ID",
			in:   cat(hdr, opt(1, nil)),
			want: []string{"Client ID DUID is 0 bytes, too short to hold a DUID type"},
			check: func(t *testing.T, m *Message) {
				if m.ClientID == nil || len(m.ClientID) != 0 {
					t.Errorf("ClientID = %#v, want present and empty", m.ClientID)
				}
			},
		},
		{
			name: "Server ID 131 bytes",
			in:   cat(hdr, opt(2, long)),
			want: []string{"Server ID DUID is 131 bytes, longer than 130"},
			check: func(t *testing.T, m *Message) {
				if len(m.ServerID) != 131 {
					t.Errorf("ServerID has %d bytes, want 131 recorded", len(m.ServerID))
				}
			},
		},
		{
			name: "bad fixed sizes",
			in: cat(hdr, opt(7, []byte{1, 2}), opt(8, []byte{1}), opt(12, make([]byte, 4)),
				opt(82, []byte{1}), opt(6, []byte{0}), opt(23, make([]byte, 17)), opt(14, []byte{1})),
			want: []string{
				"Preference option length 2, want 1",
				"Elapsed Time option length 1, want 2",
				"Server Unicast option length 4, want 16",
				"SOL_MAX_RT option length 1, want 4",
				"ORO option length 1 is odd",
				"DNS Recursive Name Server option length 17 is not a multiple of 16",
				"Rapid Commit option length 1, want 0",
			},
			check: func(t *testing.T, m *Message) {
				if m.Preference != nil || m.ElapsedTime != nil || m.SolMaxRT != nil || m.ServerUnicast.IsValid() {
					t.Errorf("badly sized options filled fields: %+v", m)
				}
			},
		},
		{
			name: "repeated Server ID, short status",
			in:   cat(hdr, opt(2, []byte{0, 3, 0, 1, 1}), opt(2, []byte{0, 3, 0, 1, 2}), opt(13, []byte{0})),
			want: []string{"Server ID option appears 2 times; the first is used", "message Status Code option length 1 shorter than 2"},
			check: func(t *testing.T, m *Message) {
				if m.ServerID.String() != "0003000101" {
					t.Errorf("ServerID %s, want the first", m.ServerID)
				}
			},
		},
		{
			name: "IA Address inside IA_PD",
			in:   cat(hdr, opt(25, cat(make([]byte, 12), opt(5, make([]byte, 24))))),
			want: []string{"IA_PD carries an IA Address option"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, m.Problems); diff != "" {
				t.Errorf("Problems (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestParseDoesNotAlias(t *testing.T) {
	b := cat([]byte{7, 1, 2, 3}, opt(1, mustHex(t, "00030001000102030405")))
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0xff
	}
	if m.ClientID.String() != "00030001000102030405" {
		t.Errorf("ClientID changed with the input buffer: %s", m.ClientID)
	}
}
