package digest

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"testing"
)

// The standard library is the oracle: every length around the block and
// padding boundaries, keys shorter and longer than a block.
func TestAgainstStandardLibrary(t *testing.T) {
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(i*7 + 3)
	}
	for n := 0; n <= len(data); n++ {
		b := data[:n]
		if got, want := SHA256(b), sha256.Sum256(b); got != want {
			t.Fatalf("SHA256 of %d bytes: %x, want %x", n, got, want)
		}
		if got, want := SHA256(b[:n/3], b[n/3:]), sha256.Sum256(b); got != want {
			t.Fatalf("SHA256 of %d bytes in two parts: %x, want %x", n, got, want)
		}
		if got, want := MD5(b), md5.Sum(b); got != want {
			t.Fatalf("MD5 of %d bytes: %x, want %x", n, got, want)
		}
		for _, klen := range []int{0, 16, 64, 65, 130} {
			key := data[len(data)-klen:]
			m := hmac.New(sha256.New, key)
			m.Write(b)
			if got := HMACSHA256(key, b[:n/2], b[n/2:]); !bytes.Equal(got[:], m.Sum(nil)) {
				t.Fatalf("HMACSHA256 key %d, data %d: %x, want %x", klen, n, got, m.Sum(nil))
			}
		}
	}
}

// FuzzDigests cross-checks every digest against the standard library.
func FuzzDigests(f *testing.F) {
	f.Add([]byte("v6diag DUID"), []byte{0x02, 0, 0, 0, 0, 1})
	f.Add(make([]byte, 55), make([]byte, 64))
	f.Fuzz(func(t *testing.T, key, data []byte) {
		if SHA256(data) != sha256.Sum256(data) || MD5(data) != md5.Sum(data) {
			t.Fatalf("digest of %x differs from the standard library", data)
		}
		m := hmac.New(sha256.New, key)
		m.Write(data)
		if got := HMACSHA256(key, data); !bytes.Equal(got[:], m.Sum(nil)) {
			t.Fatalf("HMAC of %x under %x differs", data, key)
		}
	})
}
