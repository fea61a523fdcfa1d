package options

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxLen is the largest option body the 16-bit option-len field can
// describe (RFC 8415 §21.1).
const MaxLen = 0xffff

// ErrTooLong is returned when an option body does not fit the option-len
// field.
var ErrTooLong = errors.New("option body longer than 65535 bytes")

// Append appends one option — option-code, option-len, then body, all in
// network byte order (RFC 8415 §21.1) — to b and returns the extended
// slice. Nested options (an IA Prefix inside an IA_PD) are built by
// appending them to the outer option's body first.
func Append(b []byte, code uint16, body []byte) ([]byte, error) {
	if len(body) > MaxLen {
		return b, fmt.Errorf("option %d: %w (%d)", code, ErrTooLong, len(body))
	}
	b = binary.BigEndian.AppendUint16(b, code)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...), nil
}

// Encoder appends a sequence of options and keeps the first error, so a
// message builder reads like the packet and checks once at the end.
type Encoder struct {
	b   []byte
	err error
}

// NewEncoder starts an encoder whose output begins with prefix (a message
// header, or an option body's fixed fields). prefix is copied.
func NewEncoder(prefix []byte) *Encoder {
	return &Encoder{b: append([]byte(nil), prefix...)}
}

// Option appends one option with the given body.
func (e *Encoder) Option(code uint16, body []byte) {
	if e.err != nil {
		return
	}
	e.b, e.err = Append(e.b, code, body)
}

// Empty appends an option with no body, the form of the flag options
// Rapid Commit (§21.14) and Reconfigure Accept (§21.20).
func (e *Encoder) Empty(code uint16) { e.Option(code, nil) }

// Uint16s appends an option whose body is a list of 16-bit values, the
// form of the Option Request option (§21.7).
func (e *Encoder) Uint16s(code uint16, v []uint16) {
	body := make([]byte, 0, 2*len(v))
	for _, x := range v {
		body = binary.BigEndian.AppendUint16(body, x)
	}
	e.Option(code, body)
}

// Bytes returns what was encoded, or the first error met.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}
