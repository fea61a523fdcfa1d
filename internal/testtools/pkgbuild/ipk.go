package pkgbuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteIPK writes p as an .ipk, the way OpenWrt's scripts/ipkg-build
// packs one (tar --format=gnu --numeric-owner --sort=name, gzip -n).
func (p Package) WriteIPK(w io.Writer) error {
	if err := p.validate(); err != nil {
		return err
	}
	data, dataLen, err := p.dataTarGz()
	if err != nil {
		return err
	}
	control, err := tarGz(p.Time, []tarEntry{
		{name: "./", dir: true},
		{name: "./control", mode: 0o644, data: []byte(p.ControlFile(dataLen))},
	})
	if err != nil {
		return err
	}
	// ipkg-build names the three members explicitly, in this order.
	outer, err := tarGz(p.Time, []tarEntry{
		{name: "./debian-binary", mode: 0o644, data: []byte("2.0\n")},
		{name: "./data.tar.gz", mode: 0o644, data: data},
		{name: "./control.tar.gz", mode: 0o644, data: control},
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(outer); err != nil {
		return fmt.Errorf("pkgbuild: write ipk: %w", err)
	}
	return nil
}

// IPKName is the file name ipkg-build gives the package:
// name_version_arch.ipk.
func (p Package) IPKName() string { return p.Name + "_" + p.Version + "_" + p.Arch + ".ipk" }

// ControlFile is the opkg control file, with the fields OpenWrt's
// package-pack.mk writes, in its order. installedSize is what ipkg-build
// puts there: the byte length of the uncompressed data tar.
func (p Package) ControlFile(installedSize int) string {
	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	field("Package", p.Name)
	field("Version", p.Version)
	field("Depends", strings.Join(p.Depends, ", "))
	field("SourceName", p.Name)
	field("License", p.License)
	field("Section", p.Section)
	field("SourceDateEpoch", strconv.FormatInt(p.Time.Unix(), 10))
	field("URL", p.URL)
	field("Maintainer", p.Maintainer)
	field("Architecture", p.Arch)
	field("Installed-Size", strconv.Itoa(installedSize))
	field("Description", p.Description)
	return b.String()
}

// dataTarGz returns data.tar.gz and the length of the tar inside it.
func (p Package) dataTarGz() ([]byte, int, error) {
	entries := []tarEntry{{name: "./", dir: true}}
	for _, d := range p.dirs() {
		if d != "" {
			entries = append(entries, tarEntry{name: "./" + d + "/", dir: true})
		}
	}
	for _, f := range p.sortedFiles() {
		entries = append(entries, tarEntry{name: "." + f.Path, mode: int64(f.Mode), data: f.Data})
	}
	// --sort=name: a directory's entries follow it, by name.
	sortTarEntries(entries)
	raw, err := tarBytes(p.Time, entries)
	if err != nil {
		return nil, 0, err
	}
	gz, err := gzipBytes(raw)
	return gz, len(raw), err
}

type tarEntry struct {
	name string
	dir  bool
	mode int64
	data []byte
}

// sortTarEntries orders entries as tar --sort=name walks a tree: by path,
// comparing "/"-separated components so "usr/bin/" precedes "usr/bin2".
func sortTarEntries(es []tarEntry) {
	key := func(e tarEntry) string { return strings.ReplaceAll(strings.TrimSuffix(e.name, "/"), "/", "\x00") }
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && key(es[j]) < key(es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func tarBytes(mtime time.Time, entries []tarEntry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.name,
			ModTime: mtime.Truncate(time.Second),
			Format:  tar.FormatGNU,
		}
		if e.dir {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		} else {
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, e.mode, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("pkgbuild: tar %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("pkgbuild: tar %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("pkgbuild: tar: %w", err)
	}
	return buf.Bytes(), nil
}

func tarGz(mtime time.Time, entries []tarEntry) ([]byte, error) {
	raw, err := tarBytes(mtime, entries)
	if err != nil {
		return nil, err
	}
	return gzipBytes(raw)
}

// gzipBytes compresses like gzip -n -9: no name, no time stamp.
func gzipBytes(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("pkgbuild: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("pkgbuild: gzip: %w", err)
	}
	return buf.Bytes(), nil
}
