package options

import (
	"errors"
	"fmt"
	"strings"
)

// Limits of a domain name on the wire (RFC 1035 §2.3.4, §3.1).
const (
	maxLabelLen = 63
	maxNameLen  = 255
)

// ErrPartialName is returned when the last name in a field ends without
// the zero-length root label. RFC 4704 §4.2 allows such partial names in
// the Client FQDN option; everywhere else RFC 8415 §10 wants fully
// qualified names.
var ErrPartialName = errors.New("domain name is not terminated by the root label")

// ParseDomainList decodes a list of domain names in the uncompressed form
// RFC 8415 §10 prescribes (RFC 1035 §3.1: length-prefixed labels ending
// with a zero-length label), as the Domain Search List option carries
// (RFC 3646 §4). Names come back without the trailing dot; the root is "".
//
// Compression pointers, which RFC 8415 §10 forbids, are an error, as are
// the reserved label types and names longer than 255 bytes. On error the
// names decoded so far are returned with it; a list whose last name lacks
// the root label returns every name and an error wrapping ErrPartialName.
func ParseDomainList(b []byte) ([]string, error) {
	var names []string
	for off := 0; off < len(b); {
		name, n, err := decodeName(b[off:])
		if err != nil {
			err = fmt.Errorf("name %d at byte %d: %w", len(names)+1, off, err)
			if errors.Is(err, ErrPartialName) {
				names = append(names, name)
			}
			return names, err
		}
		names = append(names, name)
		off += n
	}
	return names, nil
}

// decodeName decodes the name at the start of b and returns it with the
// number of bytes it took. A name cut off after whole labels returns
// what it holds, len(b) and ErrPartialName.
func decodeName(b []byte) (string, int, error) {
	var sb strings.Builder
	wire := 0
	for off := 0; ; {
		if off == len(b) {
			return sb.String(), off, ErrPartialName
		}
		l := int(b[off])
		switch {
		case l == 0:
			return sb.String(), off + 1, nil
		case l&0xc0 == 0xc0:
			return sb.String(), off, errors.New("compression pointer (RFC 8415 §10 forbids compressed names)")
		case l > maxLabelLen:
			return sb.String(), off, fmt.Errorf("label length byte %#x uses a reserved label type", l)
		}
		if l > len(b)-off-1 {
			return sb.String(), off, fmt.Errorf("label of %d bytes runs past the field (%d bytes left)", l, len(b)-off-1)
		}
		wire += 1 + l
		if wire+1 > maxNameLen {
			return sb.String(), off, fmt.Errorf("name longer than %d bytes", maxNameLen)
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(b[off+1 : off+1+l])
		off += 1 + l
	}
}

// AppendName appends name, fully qualified, in the uncompressed form of
// RFC 8415 §10: each dot-separated label prefixed by its length, then the
// zero-length root label. A trailing dot is optional; "" and "." are the
// root. Empty labels, labels over 63 bytes and names over 255 bytes on the
// wire are errors.
func AppendName(b []byte, name string) ([]byte, error) {
	b, err := appendLabels(b, name)
	if err != nil {
		return b, err
	}
	return append(b, 0), nil
}

// AppendPartialName appends name as a partial name, without the root
// label, as a client may send its bare host name in the Client FQDN option
// (RFC 4704 §4.2) for the server to complete.
func AppendPartialName(b []byte, name string) ([]byte, error) {
	if name == "" || strings.HasSuffix(name, ".") {
		return b, fmt.Errorf("partial name %q must be non-empty and have no trailing dot", name)
	}
	return appendLabels(b, name)
}

func appendLabels(b []byte, name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return b, nil
	}
	if len(name)+2 > maxNameLen {
		return b, fmt.Errorf("name %q is %d bytes on the wire, more than %d", name, len(name)+2, maxNameLen)
	}
	start := len(b)
	for label := range strings.SplitSeq(name, ".") {
		if len(label) == 0 || len(label) > maxLabelLen {
			return b[:start], fmt.Errorf("name %q has a label of %d bytes, want 1 to %d", name, len(label), maxLabelLen)
		}
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return b, nil
}
