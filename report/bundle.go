package report

import (
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"time"
)

// BundleFile is one member of report.tar.gz: Data, or, when Body is set,
// Size bytes read from Body, so a member as large as a capture file is
// streamed into the archive instead of held in memory.
type BundleFile struct {
	Name string
	Data []byte
	Body io.Reader
	Size int64
}

// size is the member's length in bytes.
func (f BundleFile) size() int64 {
	if f.Body != nil {
		return f.Size
	}
	return int64(len(f.Data))
}

// WriteBundle writes report.tar.gz: the given files, flat, each mode 0600
// (they name the line's MAC and DUID) and dated modTime, so the archive
// holds nothing about the machine that made it.
func WriteBundle(w io.Writer, files []BundleFile, modTime time.Time) error {
	zw := gzip.NewWriter(w)
	for _, f := range files {
		if err := writeTarMember(zw, f, modTime); err != nil {
			return fmt.Errorf("report: bundle %s: %w", f.Name, err)
		}
	}
	// The end of the archive: two zero blocks.
	if _, err := zw.Write(make([]byte, 2*tarBlock)); err != nil {
		return fmt.Errorf("report: bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("report: bundle: %w", err)
	}
	return nil
}

const tarBlock = 512

// writeTarMember writes one regular file as a POSIX ustar header and its
// data padded to whole blocks. The header is the one archive/tar writes
// for such a file (bundle_test.go compares them byte for byte); the
// bundle's few short names need none of its PAX extensions, and writing
// it here keeps archive/tar's 30 KB out of the mips build (issue 4).
func writeTarMember(w io.Writer, f BundleFile, modTime time.Time) error {
	if len(f.Name) == 0 || len(f.Name) >= 100 {
		return fmt.Errorf("name of %d bytes: want 1 to 99", len(f.Name))
	}
	for i := 0; i < len(f.Name); i++ {
		if c := f.Name[i]; c < 0x20 || c >= 0x7f || c == '/' {
			return fmt.Errorf("name: want printable ASCII without '/'")
		}
	}
	size := f.size()
	if size < 0 || size > 0o77777777777 {
		return fmt.Errorf("%d bytes: too large for a ustar header", size)
	}
	mtime := modTime.Unix()
	if modTime.IsZero() {
		mtime = 0
	}
	var h [tarBlock]byte
	copy(h[0:100], f.Name)
	tarOctal(h[100:108], 0o600)     // mode
	tarOctal(h[108:116], 0)         // uid
	tarOctal(h[116:124], 0)         // gid
	tarOctal(h[124:136], size)      // size
	tarOctal(h[136:148], mtime)     // mtime
	h[156] = '0'                    // regular file
	copy(h[257:265], "ustar\x0000") // magic and version
	tarOctal(h[329:337], 0)         // devmajor
	tarOctal(h[337:345], 0)         // devminor
	// The checksum counts its own field as spaces.
	copy(h[148:156], "        ")
	sum := int64(0)
	for _, c := range h {
		sum += int64(c)
	}
	tarOctal(h[148:155], sum)
	h[155] = ' '
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	if f.Body == nil {
		if _, err := w.Write(f.Data); err != nil {
			return err
		}
	} else if n, err := io.CopyN(w, f.Body, size); err != nil {
		// A file that shrank while it was read would leave a header
		// promising more than follows: the archive is broken, so fail.
		return fmt.Errorf("read %d of %d bytes: %w", n, size, err)
	}
	if pad := (tarBlock - size%tarBlock) % tarBlock; pad > 0 {
		if _, err := w.Write(make([]byte, pad)); err != nil {
			return err
		}
	}
	return nil
}

// tarOctal writes x in octal, zero-padded, NUL-terminated, filling b.
func tarOctal(b []byte, x int64) {
	s := strconv.FormatInt(x, 8)
	for i := range b[:len(b)-1] {
		b[i] = '0'
	}
	copy(b[len(b)-1-len(s):], s)
	b[len(b)-1] = 0
}
