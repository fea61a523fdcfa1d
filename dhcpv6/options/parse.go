// Package options walks the type-length-value option area of DHCPv6
// messages (RFC 8415 §21.1) without interpreting it.
//
// It exists so that the structure of untrusted bytes is checked, with all
// length arithmetic in int, before any option body is decoded: every Option
// it returns has a body that lies wholly inside the input.
package options

import (
	"encoding/binary"
	"fmt"
)

// HeaderLen is the size of an option's code and length fields.
const HeaderLen = 4

// Option is one raw option: its code and its body. Data aliases the input.
type Option struct {
	Code uint16
	Data []byte
	// Offset is where the option's code field starts within the walked area.
	Offset int
}

// Parse splits b into options. It fails when an option header is cut short
// or an option's length runs past the end of b; the error says which option
// and by how much.
func Parse(b []byte) ([]Option, error) {
	var opts []Option
	for off := 0; off < len(b); {
		left := len(b) - off
		if left < HeaderLen {
			return opts, fmt.Errorf("%d trailing bytes are too short for an option header", left)
		}
		code := binary.BigEndian.Uint16(b[off:])
		length := int(binary.BigEndian.Uint16(b[off+2:]))
		body := off + HeaderLen
		if length > len(b)-body {
			return opts, &LengthError{Code: code, Length: length, Left: len(b) - body}
		}
		opts = append(opts, Option{Code: code, Data: b[body : body+length], Offset: off})
		off = body + length
	}
	return opts, nil
}

// ParseCut splits b, the start of an option area that a capture cut
// short, into the options that lie wholly inside it and the one the cut
// fell in: cut has that option's code, its declared length (Length) and
// the body bytes that were captured (Data). cut is nil when b ends on an
// option boundary; fewer than HeaderLen trailing bytes give a cut with
// code 0 and Length -1, since even the option's code is lost.
func ParseCut(b []byte) (opts []Option, cut *Cut) {
	for off := 0; off < len(b); {
		left := len(b) - off
		if left < HeaderLen {
			return opts, &Cut{Option: Option{Offset: off}, Length: -1}
		}
		code := binary.BigEndian.Uint16(b[off:])
		length := int(binary.BigEndian.Uint16(b[off+2:]))
		body := off + HeaderLen
		if length > len(b)-body {
			return opts, &Cut{Option: Option{Code: code, Data: b[body:], Offset: off}, Length: length}
		}
		opts = append(opts, Option{Code: code, Data: b[body : body+length], Offset: off})
		off = body + length
	}
	return opts, nil
}

// Cut is an option a capture cut short: Data holds the captured part of
// a body Length bytes long.
type Cut struct {
	Option
	Length int
}

// LengthError is an option whose length runs past the end of the walked
// area. It carries the code rather than a name: the caller knows what the
// codes mean (dhcpv6.OptionCode) and names the option.
type LengthError struct {
	Code   uint16
	Length int // the option-len field
	Left   int // the bytes after the option's header
}

func (e *LengthError) Error() string {
	return fmt.Sprintf("option %d length %d runs past the message (%d bytes left)", e.Code, e.Length, e.Left)
}

// Count returns how many options in opts carry code.
func Count(opts []Option, code uint16) int {
	n := 0
	for _, o := range opts {
		if o.Code == code {
			n++
		}
	}
	return n
}

// First returns the first option carrying code.
func First(opts []Option, code uint16) (Option, bool) {
	for _, o := range opts {
		if o.Code == code {
			return o, true
		}
	}
	return Option{}, false
}
