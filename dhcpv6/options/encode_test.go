package options

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncoder(t *testing.T) {
	e := NewEncoder([]byte{0x01, 0xaa, 0xbb, 0xcc}) // Solicit header
	e.Option(1, []byte{0, 3, 0, 1, 2, 3, 4, 5, 6, 7})
	e.Uint16s(6, []uint16{23, 24, 0xffff})
	e.Empty(14)
	got, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x01, 0xaa, 0xbb, 0xcc, // header
		0x00, 0x01, 0x00, 0x0a, 0, 3, 0, 1, 2, 3, 4, 5, 6, 7, // Client ID, 10 bytes
		0x00, 0x06, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0xff, 0xff, // ORO 23 24 65535
		0x00, 0x0e, 0x00, 0x00, // Rapid Commit
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	// What the encoder writes, the walker reads back.
	opts, err := Parse(got[4:])
	if err != nil {
		t.Fatal(err)
	}
	wantOpts := []Option{
		{Code: 1, Data: want[8:18], Offset: 0},
		{Code: 6, Data: want[22:28], Offset: 14},
		{Code: 14, Data: []byte{}, Offset: 24},
	}
	if diff := cmp.Diff(wantOpts, opts); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestEncoderTooLong(t *testing.T) {
	e := NewEncoder(nil)
	e.Option(16, make([]byte, MaxLen)) // exactly fits
	e.Option(17, make([]byte, MaxLen+1))
	e.Empty(14) // ignored after the error
	if _, err := e.Bytes(); !errors.Is(err, ErrTooLong) {
		t.Errorf("err %v, want ErrTooLong", err)
	}
	e = NewEncoder(nil)
	e.Uint16s(6, make([]uint16, MaxLen/2+1))
	if _, err := e.Bytes(); !errors.Is(err, ErrTooLong) {
		t.Errorf("ORO of %d codes: err %v, want ErrTooLong", MaxLen/2+1, err)
	}
}

func TestNewEncoderCopiesPrefix(t *testing.T) {
	prefix := []byte{1, 2, 3, 4}
	e := NewEncoder(prefix[:2])
	e.Empty(14)
	if !bytes.Equal(prefix, []byte{1, 2, 3, 4}) {
		t.Errorf("encoder wrote into the caller's array: %x", prefix)
	}
}
