// Package entropy fills buffers with random bytes from the kernel
// (getrandom(2)), for transaction ids and the redaction key.
//
// crypto/rand would do the same, but it brings Go's FIPS 140 module
// (a DRBG with AES, SHA-3, SHA-512) into the binary: about 60 KB of the
// mips build, whose flash budget is 4.5 MB (scripts/size-report.sh).
package entropy

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Read fills b with random bytes. It blocks only until the kernel's pool is
// initialised, as crypto/rand does.
func Read(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Getrandom(b, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("entropy: getrandom: %w", err)
		}
		b = b[n:]
	}
	return nil
}
