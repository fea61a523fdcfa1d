package entropy

import (
	"bytes"
	"testing"
)

// Two reads of 32 bytes are neither zero nor equal: the chance that a
// working source fails this is 2^-256.
func TestRead(t *testing.T) {
	a, b := make([]byte, 32), make([]byte, 32)
	if err := Read(a); err != nil {
		t.Fatal(err)
	}
	if err := Read(b); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, make([]byte, 32)) || bytes.Equal(a, b) {
		t.Errorf("not random: %x %x", a, b)
	}
	if err := Read(nil); err != nil {
		t.Errorf("empty read: %v", err)
	}
}
