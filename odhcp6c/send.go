package odhcp6c

import (
	"slices"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/dhcpv6/options"
	"github.com/v6diag/v6diag/internal/digest"
)

// Host is what odhcp6c reads from the router besides its arguments.
type Host struct {
	// IfName is the device odhcp6c runs on (netifd passes the wan6
	// device): its IA_NA's IAID is derived from the name.
	IfName string
	// HostName is the router's host name (gethostname), which odhcp6c
	// sends in its Client FQDN unless -f.
	HostName string
}

// NAIAID is the IAID odhcp6c gives its IA_NA: the first four bytes of the
// MD5 of the interface name (src/dhcpv6.c, dhcpv6_generate_iface_iaid),
// so it is the same on every router with the same WAN device name.
func NAIAID(ifname string) [4]byte {
	h := digest.MD5([]byte(ifname))
	return [4]byte(h[:4])
}

// The Option Request codes odhcp6c knows (src/odhcp6c.c, the opts table,
// and src/dhcpv6.c, init_dhcpv6 and dhcpv6_send).
var (
	// builtinORO is what it asks for unless -R: SIP domain and address,
	// DNS servers and search list, SNTP, NTP, PD Exclude and the captive
	// portal (RFC 8910), in this order.
	builtinORO = []uint16{21, 22, 23, 24, 31, 56, 67, 103}
	// requiredORO is appended always: INF_MAX_RT, SOL_MAX_RT and the
	// information refresh time.
	requiredORO = []uint16{83, 82, 32}
	// solicitOnly are asked for only in a Solicit (OPT_ORO_SOLICIT).
	solicitOnly = []dhcpv6.OptionCode{dhcpv6.OptionSolMaxRT}
	// statelessOnly are asked for only in an Information-Request
	// (OPT_ORO_STATELESS): never in what v6diag emulates.
	statelessOnly = []uint16{32, 83}
	// notRequestable are options in its table without OPT_ORO: a -r for
	// one of them is dropped from the ORO.
	notRequestable = []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 25, 26,
		37, 38, 43, 44, 45, 46, 47, 48, 53, 61, 66, 68, 79, 80, 81, 87, 89, 90, 91, 92, 93, 100, 101,
		102, 105, 106, 107, 108, 109, 110, 112, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
		125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135}
)

// ORO is the Option Request list of odhcp6c's Solicit: the -r options first
// (parsed before init_dhcpv6 adds the rest), then its built-in list unless
// -R, then the required ones, without what its table says a Solicit does
// not ask for. A Request carries the same list without SOL_MAX_RT.
func (a Args) ORO() []dhcpv6.OptionCode {
	var codes []uint16
	codes = append(codes, a.RequestedOptions...)
	if !a.StrictOptions {
		codes = append(codes, builtinORO...)
	}
	codes = append(codes, requiredORO...)
	out := make([]dhcpv6.OptionCode, 0, len(codes))
	for _, c := range codes {
		if slices.Contains(notRequestable, c) || slices.Contains(statelessOnly, c) {
			continue
		}
		out = append(out, dhcpv6.OptionCode(c))
	}
	return out
}

// Identity returns the IAIDs odhcp6c uses with these arguments on host:
// the MD5-derived one for its IA_NA and the first -P's for its IA_PD. The
// DUID is left to the caller: v6diag never sends the router's.
func (a Args) Identity(duid dhcpv6.DUID, h Host) dhcpv6.Identity {
	id := dhcpv6.Identity{DUID: duid, IAID: NAIAID(h.IfName)}
	if len(a.Prefixes) > 0 {
		id.PDIAID = a.Prefixes[0].IAID
	}
	return id
}

// Shape is the Solicit odhcp6c sends first with these arguments on host
// (src/dhcpv6.c, dhcpv6_send): IA_NA unless -Nnone, an IA_PD for the first
// -P (its hint only when the length is not 0), Reconfigure Accept unless
// -a, the Client FQDN with the host name unless -f, its ORO, and the
// options of -V, -u and -x. Only the first -P is asked for: v6diag sends
// one IA_PD.
func (a Args) Shape(h Host) dhcpv6.RequestShape {
	s := dhcpv6.RequestShape{
		IANA:               a.addressMode() != ModeNone,
		ReconfigureAccept:  !a.NoAcceptReconfig,
		RequestedOptions:   a.ORO(),
		SolicitOnlyOptions: solicitOnly,
		AlwaysORO:          true,
	}
	if len(a.Prefixes) > 0 {
		p := a.Prefixes[0]
		s.IAPD = true
		if p.Length > 0 && p.Length <= 128 {
			s.PrefixLength = p.Length
			s.PrefixHint = p.Hint
		}
	}
	// -V, -u and -x, in odhcp6c's STATE_OPTS; arguments odhcp6c refuses
	// never reach here (ParseArgs refuses them first).
	if extra, err := a.ExtraOptions(); err == nil {
		s.Extra = extra
	}
	// odhcp6c sends no Client FQDN when dn_comp cannot encode the host
	// name (src/dhcpv6.c, init_dhcpv6).
	if _, err := options.AppendName(nil, h.HostName); !a.NoClientFQDN && h.HostName != "" && err == nil {
		s.ClientFQDN = h.HostName
	}
	return s
}
