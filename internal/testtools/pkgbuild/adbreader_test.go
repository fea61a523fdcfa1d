package pkgbuild

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// No tool on Debian 12 reads apk v3 packages (Debian's apk-tools arrived
// later, and opkg is not packaged), so the tests read what WriteAPK writes
// with this reader, written from apk-tools' doc/apk-v3.5, src/adb.h,
// src/adb.c (__adb_m_parse, adb_r_*), src/apk_adb.h and
// src/extract_v3.c rather than from apk.go: it checks what apk itself
// checks when it installs a package, and the alignment apk's writer keeps.

type apkFile struct {
	Name        string
	Mode        uint32
	User, Group string
	Size, Mtime uint32
	Hash        []byte
	Data        []byte // from the DATA block; nil for an empty file
}

type apkDir struct {
	Name        string
	Mode        uint32
	User, Group string
	Files       []apkFile
}

type apkPackage struct {
	Name, Version, Description, Arch, License, Origin, Maintainer, URL string
	UniqueID                                                           []byte
	InstalledSize                                                      uint32
	Depends                                                            []string
	Dirs                                                               []apkDir
}

type adbView struct{ b []byte }

func (v adbView) deref(val uint32, off, n int) ([]byte, error) {
	start := int(val&0x0fffffff) + off
	if start < 0 || n < 0 || start+n > len(v.b) {
		return nil, fmt.Errorf("value %#x: %d bytes at %d past the ADB (%d bytes)", val, n, start, len(v.b))
	}
	return v.b[start : start+n], nil
}

func aligned(val uint32, to int) error {
	if int(val&0x0fffffff)%to != 0 {
		return fmt.Errorf("value %#x not aligned to %d", val, to)
	}
	return nil
}

func (v adbView) blob(val uint32) ([]byte, error) {
	var hdr int
	switch val & 0xf0000000 {
	case 0:
		if val != 0 {
			return nil, fmt.Errorf("special value %#x where a blob belongs", val)
		}
		return nil, nil
	case 0x80000000:
		hdr = 1
	case 0x90000000:
		hdr = 2
	case 0xa0000000:
		hdr = 4
	default:
		return nil, fmt.Errorf("value %#x is not a blob", val)
	}
	if err := aligned(val, hdr); err != nil {
		return nil, err
	}
	lb, err := v.deref(val, 0, hdr)
	if err != nil {
		return nil, err
	}
	var n int
	switch hdr {
	case 1:
		n = int(lb[0])
	case 2:
		n = int(binary.LittleEndian.Uint16(lb))
	case 4:
		n = int(binary.LittleEndian.Uint32(lb))
	}
	return v.deref(val, hdr, n)
}

func (v adbView) str(val uint32) (string, error) {
	b, err := v.blob(val)
	return string(b), err
}

func (v adbView) integer(val uint32) (uint32, error) {
	switch val & 0xf0000000 {
	case 0:
		if val != 0 {
			return 0, fmt.Errorf("special value %#x where an int belongs", val)
		}
		return 0, nil
	case 0x10000000:
		return val & 0x0fffffff, nil
	case 0x20000000:
		if err := aligned(val, 4); err != nil {
			return 0, err
		}
		b, err := v.deref(val, 0, 4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(b), nil
	default:
		return 0, fmt.Errorf("value %#x is not an int", val)
	}
}

// slots returns slot 1..n-1 of an object or array (slot 0 is the count),
// padded with nulls to want slots so absent trailing fields read as null.
func (v adbView) slots(val uint32, typ uint32, want int) ([]uint32, error) {
	if val == 0 {
		return make([]uint32, want), nil
	}
	if val&0xf0000000 != typ {
		return nil, fmt.Errorf("value %#x is not of type %#x", val, typ)
	}
	if err := aligned(val, 4); err != nil {
		return nil, err
	}
	nb, err := v.deref(val, 0, 4)
	if err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(nb))
	if n < 1 {
		return nil, fmt.Errorf("object %#x has %d slots", val, n)
	}
	b, err := v.deref(val, 0, 4*n)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, max(n-1, want))
	for i := 1; i < n; i++ {
		out[i-1] = binary.LittleEndian.Uint32(b[4*i:])
	}
	if typ == 0xe0000000 && n-1 > want {
		return nil, fmt.Errorf("object %#x has %d fields, the schema %d", val, n-1, want)
	}
	return out, nil
}

func (v adbView) acl(val uint32) (mode uint32, user, group string, err error) {
	s, err := v.slots(val, 0xe0000000, 4)
	if err != nil {
		return 0, "", "", err
	}
	if mode, err = v.integer(s[0]); err != nil {
		return
	}
	if user, err = v.str(s[1]); err != nil {
		return
	}
	group, err = v.str(s[2])
	return
}

// readAPK decodes an apk v3 package, DATA blocks included, failing where
// apk would refuse it.
func readAPK(file []byte) (*apkPackage, error) {
	var raw []byte
	switch {
	case bytes.HasPrefix(file, []byte("ADBd")):
		var err error
		raw, err = io.ReadAll(flate.NewReader(bytes.NewReader(file[4:])))
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
	case bytes.HasPrefix(file, []byte("ADB.")):
		raw = file
	default:
		return nil, fmt.Errorf("magic %q", file[:min(4, len(file))])
	}
	if len(raw) < 8 || binary.LittleEndian.Uint32(raw) != 0x2e424441 {
		return nil, fmt.Errorf("file header %x", raw[:min(8, len(raw))])
	}
	if schema := binary.LittleEndian.Uint32(raw[4:]); schema != 0x676b6370 {
		return nil, fmt.Errorf("schema %#x, want pckg", schema)
	}

	// Blocks: ADB first, then SIG, then DATA only (__adb_m_parse).
	type block struct {
		typ     uint32
		payload []byte
	}
	var blocks []block
	for pos := 8; pos < len(raw); {
		if len(raw)-pos < 4 {
			return nil, fmt.Errorf("%d stray bytes at %d", len(raw)-pos, pos)
		}
		ts := binary.LittleEndian.Uint32(raw[pos:])
		typ, rawsize := ts>>30, int(ts&0x3fffffff)
		if typ == 3 {
			return nil, fmt.Errorf("extended block at %d", pos)
		}
		size := (rawsize + 7) / 8 * 8
		if rawsize < 4 || size > len(raw)-pos {
			return nil, fmt.Errorf("block at %d: size %d, %d bytes left", pos, rawsize, len(raw)-pos)
		}
		for _, z := range raw[pos+rawsize : pos+size] {
			if z != 0 {
				return nil, fmt.Errorf("block at %d: nonzero padding", pos)
			}
		}
		blocks = append(blocks, block{typ, raw[pos+4 : pos+rawsize]})
		pos += size
	}
	if len(blocks) == 0 || blocks[0].typ != 0 {
		return nil, fmt.Errorf("first block is not ADB")
	}
	for i, b := range blocks[1:] {
		if b.typ != 2 {
			return nil, fmt.Errorf("block %d has type %d, want DATA", i+1, b.typ)
		}
	}
	adbb := blocks[0].payload
	if len(adbb) < 16 || adbb[0] != 0 {
		return nil, fmt.Errorf("ADB block of %d bytes, compat version %d", len(adbb), adbb[0])
	}
	v := adbView{adbb}

	root, err := v.slots(binary.LittleEndian.Uint32(adbb[4:]), 0xe0000000, 5)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	info, err := v.slots(root[0], 0xe0000000, 20)
	if err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	p := &apkPackage{}
	for _, f := range []struct {
		dst *string
		idx int
	}{{&p.Name, 1}, {&p.Version, 2}, {&p.Description, 4}, {&p.Arch, 5}, {&p.License, 6}, {&p.Origin, 7}, {&p.Maintainer, 8}, {&p.URL, 9}} {
		if *f.dst, err = v.str(info[f.idx-1]); err != nil {
			return nil, fmt.Errorf("info field %d: %w", f.idx, err)
		}
	}
	if p.UniqueID, err = v.blob(info[2]); err != nil {
		return nil, err
	}
	if p.InstalledSize, err = v.integer(info[11]); err != nil {
		return nil, err
	}
	deps, err := v.slots(info[14], 0xd0000000, 0)
	if err != nil {
		return nil, err
	}
	for _, d := range deps {
		ds, err := v.slots(d, 0xe0000000, 3)
		if err != nil {
			return nil, err
		}
		name, err := v.str(ds[0])
		if err != nil {
			return nil, err
		}
		p.Depends = append(p.Depends, name)
	}

	// unique-id: SHA-256 of the ADB with the id zeroed (app_mkpkg.c).
	if len(p.UniqueID) != 20 {
		return nil, fmt.Errorf("unique-id of %d bytes", len(p.UniqueID))
	}
	zeroed := bytes.Clone(adbb)
	uidAt := bytes.Index(adbb, p.UniqueID)
	copy(zeroed[uidAt:], make([]byte, 20))
	if sum := sha256.Sum256(zeroed); !bytes.Equal(sum[:20], p.UniqueID) {
		return nil, fmt.Errorf("unique-id %x, want %x", p.UniqueID, sum[:20])
	}

	paths, err := v.slots(root[1], 0xd0000000, 0)
	if err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	type want struct{ dir, file int }
	var wantData []want
	for di, dv := range paths {
		ds, err := v.slots(dv, 0xe0000000, 3)
		if err != nil {
			return nil, fmt.Errorf("path %d: %w", di+1, err)
		}
		var d apkDir
		if d.Name, err = v.str(ds[0]); err != nil {
			return nil, err
		}
		if d.Mode, d.User, d.Group, err = v.acl(ds[1]); err != nil {
			return nil, err
		}
		files, err := v.slots(ds[2], 0xd0000000, 0)
		if err != nil {
			return nil, err
		}
		for fi, fv := range files {
			fs, err := v.slots(fv, 0xe0000000, 6)
			if err != nil {
				return nil, fmt.Errorf("%s file %d: %w", d.Name, fi+1, err)
			}
			var f apkFile
			if f.Name, err = v.str(fs[0]); err != nil {
				return nil, err
			}
			if f.Mode, f.User, f.Group, err = v.acl(fs[1]); err != nil {
				return nil, err
			}
			if f.Size, err = v.integer(fs[2]); err != nil {
				return nil, err
			}
			if f.Mtime, err = v.integer(fs[3]); err != nil {
				return nil, err
			}
			if f.Hash, err = v.blob(fs[4]); err != nil {
				return nil, err
			}
			if fs[5] != 0 {
				return nil, fmt.Errorf("%s/%s has a target: not a regular file", d.Name, f.Name)
			}
			if len(f.Hash) != 32 {
				return nil, fmt.Errorf("%s/%s: hash of %d bytes, want SHA-256", d.Name, f.Name, len(f.Hash))
			}
			if f.Size > 0 {
				wantData = append(wantData, want{di, fi})
			}
			d.Files = append(d.Files, f)
		}
		// schema_file_array's pre_commit sorts by name (apk_blob_sort).
		for i := 1; i < len(d.Files); i++ {
			if strings.Compare(d.Files[i-1].Name, d.Files[i].Name) >= 0 {
				return nil, fmt.Errorf("files of %q not sorted", d.Name)
			}
		}
		p.Dirs = append(p.Dirs, d)
	}
	for i := 1; i < len(p.Dirs); i++ {
		if strings.Compare(p.Dirs[i-1].Name, p.Dirs[i].Name) >= 0 {
			return nil, fmt.Errorf("paths not sorted: %q before %q", p.Dirs[i-1].Name, p.Dirs[i].Name)
		}
	}

	// DATA blocks: one per non-empty file, in path then file order, each
	// with its (1-based) indexes, exactly Size bytes whose SHA-256 is Hash
	// (apk_extract_v3_data_block, apk_istream_verify).
	data := blocks[1:]
	if len(data) != len(wantData) {
		return nil, fmt.Errorf("%d DATA blocks for %d non-empty files", len(data), len(wantData))
	}
	for i, w := range wantData {
		b := data[i].payload
		if len(b) < 8 {
			return nil, fmt.Errorf("DATA block %d of %d bytes", i, len(b))
		}
		pi, fi := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
		if int(pi) != w.dir+1 || int(fi) != w.file+1 {
			return nil, fmt.Errorf("DATA block %d for path %d file %d, want %d %d", i, pi, fi, w.dir+1, w.file+1)
		}
		f := &p.Dirs[w.dir].Files[w.file]
		content := b[8:]
		if len(content) != int(f.Size) {
			return nil, fmt.Errorf("%s: %d bytes of data, size says %d", f.Name, len(content), f.Size)
		}
		if sum := sha256.Sum256(content); !bytes.Equal(sum[:], f.Hash) {
			return nil, fmt.Errorf("%s: data does not match its hash", f.Name)
		}
		f.Data = content
	}
	return p, nil
}
