package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
)

// Redactor masks what identifies a line in a report meant for a public
// forum, consistently within one report, so the story still reads:
//
//   - a MAC keeps its vendor OUI, the rest is masked and numbered in order
//     of appearance ("00:11:22:xx:xx:01"); a locally administered MAC has
//     no vendor, so it is masked whole;
//   - a DUID (which embeds a MAC or a time) and an IAID (v6diag derives its
//     own from the MAC) become keyed hashes of the same length class;
//   - an EUI-64 interface id (ff:fe in the middle, derived from a MAC) is
//     replaced by a keyed hash, other interface ids are kept (::1, ::53);
//   - global and unique-local prefixes and addresses move into the
//     documentation prefix 2001:db8::/32 by a prefix-preserving keyed
//     mapping (in the manner of Crypto-PAn): lengths stay, and two prefixes
//     that share their first n bits beyond the /32 still do, so a delegated
//     /56 still lies inside the /48 it came from.
//
// Link-local, multicast, loopback and unspecified addresses keep their
// prefix. The key is random per report, so tokens cannot be matched
// across reports or brute-forced from a known OUI.
type Redactor struct {
	key   []byte
	macs  map[string]string
	iaids map[string]bool
	duids map[string]bool
	ipv4s map[netip.Addr]netip.Addr // public IPv4 → 192.0.2.N (routerstate.go)
}

// NewRedactor returns a Redactor keyed with key (32 random bytes in
// production; fixed in tests so golden files are stable).
func NewRedactor(key []byte) *Redactor {
	return &Redactor{key: append([]byte(nil), key...), macs: map[string]string{}, iaids: map[string]bool{}, duids: map[string]bool{}}
}

// Document returns a copy of d with every string field redacted; d is not
// changed.
func (r *Redactor) Document(d Document) Document {
	// Identifiers known from the structure are masked wherever free text
	// repeats them, even when their form alone would not give them away.
	if d.DUID != nil {
		r.duids[strings.ToLower(d.DUID.Hex)] = true
		for _, id := range d.DUID.IAIDs {
			r.iaids[strings.ToLower(id)] = true
		}
	}
	for _, s := range d.DHCPv6.Servers {
		r.duids[strings.ToLower(s.ServerID)] = true
	}
	for _, e := range d.Timeline {
		if e.ServerID != "" {
			r.duids[strings.ToLower(e.ServerID)] = true
		}
	}
	for _, l := range append(append([]jsonLease{}, d.DHCPv6.DelegatedPrefixes...), d.DHCPv6.Addresses...) {
		r.iaids[strings.ToLower(l.IAID)] = true
	}
	for _, s := range d.DHCPv6.SolicitShapes {
		for _, id := range s.IANA {
			r.iaids[strings.ToLower(id)] = true
		}
		for _, pd := range s.IAPD {
			r.iaids[strings.ToLower(pd.IAID)] = true
		}
	}
	delete(r.duids, "")
	delete(r.iaids, "")
	out := r.copyValue(reflect.ValueOf(d)).Interface().(Document)
	r.routerState(out.RouterState)
	return out
}

// copyValue deep-copies v, redacting every string it can set. Unexported
// fields are shared, not copied: they hold no strings a reader sees.
func (r *Redactor) copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		n := reflect.New(v.Type()).Elem()
		n.SetString(r.Text(v.String()))
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(r.copyValue(v.Elem()))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(r.copyValue(v.Index(i)))
		}
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if f := n.Field(i); f.CanSet() {
				f.Set(r.copyValue(v.Field(i)))
			}
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(r.copyValue(it.Key()), r.copyValue(it.Value()))
		}
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(r.copyValue(v.Elem()))
		return n
	}
	return v
}

// nextToken finds, from i on, the next run that may hold an identifier:
// hex digits with colons, dots and hyphens, ending in a hex digit or colon
// (and any dots after it), with an optional prefix length "/0".."/999".
// It returns the run's bounds, or start < 0 when there is none. This is
// the leftmost-first match of the regular expression
// [0-9A-Fa-f:.\-]*[0-9A-Fa-f:][0-9A-Fa-f:.]*(?:/[0-9]{1,3})?
// (secrets_scan_test.go checks it against regexp).
func nextToken(s string, i int) (start, end int) {
	for i < len(s) {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		// The run of token bytes from i; it matches up to its last hex
		// digit or colon.
		j, last := i, -1
		for ; j < len(s) && isTokenByte(s[j]); j++ {
			if isHex(s[j]) || s[j] == ':' {
				last = j
			}
		}
		if last < 0 { // dots and hyphens only
			i = j
			continue
		}
		end = last + 1
		for end < len(s) && s[end] == '.' {
			end++
		}
		if end+1 < len(s) && s[end] == '/' && isDigit(s[end+1]) {
			end += 2
			for n := 1; n < 3 && end < len(s) && isDigit(s[end]); n++ {
				end++
			}
		}
		return i, end
	}
	return -1, -1
}

func isTokenByte(c byte) bool { return isHex(c) || c == ':' || c == '.' || c == '-' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hexPairs reports whether w is two hex digits, then n ≥ min more pairs,
// each after a separator byte sep accepts: a MAC (00:11:22:33:44:55, or
// with hyphens, min = max = 5) or a colon-separated DUID.
func hexPairs(w string, min, max int, sep func(byte) bool) bool {
	if len(w) < 2 || (len(w)-2)%3 != 0 {
		return false
	}
	if n := (len(w) - 2) / 3; n < min || (max >= 0 && n > max) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if i%3 == 2 {
			if !sep(w[i]) {
				return false
			}
		} else if !isHex(w[i]) {
			return false
		}
	}
	return true
}

func isColon(c byte) bool        { return c == ':' }
func isMACSep(c byte) bool       { return c == ':' || c == '-' }
func isHexOrColon(c byte) bool   { return isHex(c) || c == ':' }
func macForm(w string) bool      { return hexPairs(w, 5, 5, isMACSep) }
func colonHexForm(w string) bool { return hexPairs(w, 6, -1, isColon) }

func hexForm(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isHex(w[i]) {
			return false
		}
	}
	return w != ""
}

// Text redacts free text: MACs, DUIDs and IAIDs, IPv6 addresses and
// prefixes, wherever they stand.
func (r *Redactor) Text(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			break
		}
		b.WriteString(s[done:start])
		b.WriteString(r.word(s[start:end]))
		done, i = end, end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

func (r *Redactor) word(w string) string {
	// Trailing "." or ":" may be punctuation after the identifier
	// ("… from fe80::1."), so shorter cores are tried too.
	for end := len(w); end > 0; end-- {
		if strings.Trim(w[end:], ".:") != "" {
			break
		}
		if out, ok := r.identifier(w[:end]); ok {
			return out + w[end:]
		}
	}
	// A hyphenated run (a MAC with dashes was tried above) may hold
	// identifiers between the hyphens: redact each.
	if strings.Contains(w, "-") {
		parts := strings.Split(w, "-")
		for i, p := range parts {
			parts[i] = r.word(p)
		}
		return strings.Join(parts, "-")
	}
	// Whatever else the run is, a MAC standing in it is masked.
	var b strings.Builder
	done := 0
	for i := 0; i < len(w); {
		start, end := embeddedMAC(w, i)
		if start < 0 {
			break
		}
		b.WriteString(w[done:start])
		if mac, err := net.ParseMAC(w[start:end]); err == nil {
			b.WriteString(r.MAC(mac))
		} else {
			b.WriteString(w[start:end])
		}
		done, i = end, end
		// The byte after the MAC bounds it and cannot start the next one.
		if i < len(w) {
			i++
		}
	}
	b.WriteString(w[done:])
	return b.String()
}

// embeddedMAC finds, from i on, a colon-separated MAC inside a longer run
// (which is ASCII: token bytes and a prefix length), bounded on each side
// by the run's end or a byte that cannot continue it. It returns the
// MAC's bounds, or start < 0. A bounding byte belongs to one match only,
// as with the regular expression
// (?:^|[^0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?:$|[^0-9A-Fa-f:])
// it replaces (secrets_scan_test.go checks that).
func embeddedMAC(w string, i int) (start, end int) {
	const n = len("00:11:22:33:44:55")
	for p := i; p+n <= len(w); p++ {
		// Past the start of w, the MAC needs a bounding byte before it
		// that no earlier match took.
		if p > 0 && (p == i || isHexOrColon(w[p-1])) {
			continue
		}
		e := p + n
		if hexPairs(w[p:e], 5, 5, isColon) && (e == len(w) || !isHexOrColon(w[e])) {
			return p, e
		}
	}
	return -1, -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// identifier redacts w if it is, as a whole, an identifier.
func (r *Redactor) identifier(w string) (string, bool) {
	lw := strings.ToLower(w)
	switch {
	case macForm(w):
		m, err := net.ParseMAC(strings.ReplaceAll(w, "-", ":"))
		if err == nil {
			return r.MAC(m), true
		}
	case colonHexForm(w):
		return r.DUID(strings.ReplaceAll(lw, ":", "")), true
	case hexForm(w):
		switch {
		case r.duids[lw]:
			return r.DUID(lw), true
		case r.iaids[lw]:
			return r.IAID(lw), true
		case len(w) >= 16:
			return r.DUID(lw), true
		}
		return "", false
	}
	if strings.Contains(w, "/") {
		if p, err := netip.ParsePrefix(w); err == nil && p.Addr().Is6() {
			return r.Prefix(p).String(), true
		}
		return "", false
	}
	if strings.Count(w, ":") >= 2 {
		if a, err := netip.ParseAddr(w); err == nil && a.Is6() {
			return r.Addr(a).String(), true
		}
	}
	return "", false
}

// MAC masks a MAC address to its OUI and an order number.
func (r *Redactor) MAC(m net.HardwareAddr) string {
	k := m.String()
	if t, ok := r.macs[k]; ok {
		return t
	}
	n := len(r.macs) + 1
	var t string
	if len(m) != 6 || m[0]&0x02 != 0 {
		t = fmt.Sprintf("xx:xx:xx:xx:xx:%02d", n%100)
	} else {
		t = fmt.Sprintf("%02x:%02x:%02x:xx:xx:%02d", m[0], m[1], m[2], n%100)
	}
	r.macs[k] = t
	return t
}

func (r *Redactor) mac(data ...[]byte) []byte {
	h := hmac.New(sha256.New, r.key)
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

// DUID replaces a DUID (hex) with its type code and a keyed hash, e.g.
// "0004-redacted-3fa9c2d17b10".
func (r *Redactor) DUID(hexDUID string) string {
	typ := "0000"
	if len(hexDUID) >= 4 {
		typ = hexDUID[:4]
	}
	return typ + "-redacted-" + hex.EncodeToString(r.mac([]byte("duid"), []byte(hexDUID))[:6])
}

// IAID replaces an IAID with a keyed hash of the same size.
func (r *Redactor) IAID(hexIAID string) string {
	return hex.EncodeToString(r.mac([]byte("iaid"), []byte(hexIAID))[:4])
}

var documentation = netip.MustParsePrefix("2001:db8::/32")

// Addr redacts one IPv6 address (see Redactor).
func (r *Redactor) Addr(a netip.Addr) netip.Addr {
	if !a.Is6() || a.IsMulticast() || a.IsUnspecified() || a.IsLoopback() || a.Is4In6() {
		return a
	}
	b := a.As16()
	if !a.IsLinkLocalUnicast() {
		hi := r.pseudonym(b, 64)
		copy(b[:8], hi[:8])
	}
	if b[11] == 0xff && b[12] == 0xfe {
		iid := r.mac([]byte("iid"), a.AsSlice()[8:])
		copy(b[8:], iid[:8])
		// Clear the ff:fe marker and the universal/local bit so the token
		// does not pose as a MAC-derived id.
		b[8] &^= 0x02
		if b[11] == 0xff && b[12] == 0xfe {
			b[12] = 0xfd
		}
	}
	return netip.AddrFrom16(b).WithZone(a.Zone())
}

// Prefix redacts an IPv6 prefix, keeping its length.
func (r *Redactor) Prefix(p netip.Prefix) netip.Prefix {
	a := p.Addr()
	if !a.Is6() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsLoopback() || (a.IsUnspecified() && p.Bits() == 0) {
		return p
	}
	if p.Bits() > 64 {
		return netip.PrefixFrom(r.Addr(a), p.Bits())
	}
	b := r.pseudonym(a.As16(), p.Bits())
	return netip.PrefixFrom(netip.AddrFrom16(b), p.Bits()).Masked()
}

// pseudonym maps the first n bits (n ≤ 64) of b into 2001:db8::/32: bit i
// (i ≥ 32) is flipped by a keyed function of the bits before it, so equal
// leading bits map to equal leading bits.
func (r *Redactor) pseudonym(b [16]byte, n int) [16]byte {
	var out [16]byte
	doc := documentation.Addr().As16()
	copy(out[:4], doc[:4])
	in := binary.BigEndian.Uint64(b[:8])
	res := binary.BigEndian.Uint64(out[:8])
	for i := 32; i < n && i < 64; i++ {
		prefix := in &^ (^uint64(0) >> uint(i)) // the first i bits of the input
		var buf [9]byte
		buf[0] = byte(i)
		binary.BigEndian.PutUint64(buf[1:], prefix)
		flip := uint64(r.mac([]byte("pfx"), buf[:])[0] & 1)
		bit := (in >> uint(63-i)) & 1
		res |= (bit ^ flip) << uint(63-i)
	}
	binary.BigEndian.PutUint64(out[:8], res)
	return out
}
