package pkgbuild

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// ADB wire constants (apk-tools src/adb.h, apk_adb.h).
const (
	adbMagic      = "ADB."
	adbDeflate    = "ADBd"
	schemaPackage = "pckg" // ADB_SCHEMA_PACKAGE 0x676b6370, little-endian on disk

	adbTypeInt    = 0x10000000
	adbTypeInt32  = 0x20000000
	adbTypeBlob8  = 0x80000000
	adbTypeBlob16 = 0x90000000
	adbTypeBlob32 = 0xa0000000
	adbTypeArray  = 0xd0000000
	adbTypeObject = 0xe0000000
	adbValueMask  = 0x0fffffff

	blockADB       = 0
	blockData      = 2
	blockAlignment = 8
	adbHeaderLen   = 8 // adb_compat_ver, adb_ver, reserved, root

	// Field indexes (apk_adb.h).
	pkgInfo  = 1 // ADBI_PKG_PKGINFO
	pkgPaths = 2 // ADBI_PKG_PATHS
	pkgMax   = 6

	piName          = 1
	piVersion       = 2
	piUniqueID      = 3
	piDescription   = 4
	piArch          = 5
	piLicense       = 6
	piOrigin        = 7
	piMaintainer    = 8
	piURL           = 9
	piInstalledSize = 12
	piDepends       = 15
	piMax           = 21

	depName = 1
	depMax  = 4

	aclMode  = 1
	aclUser  = 2
	aclGroup = 3
	aclMax   = 5

	fiName   = 1
	fiACL    = 2
	fiSize   = 3
	fiMtime  = 4
	fiHashes = 5
	fiMax    = 7

	diName  = 1
	diACL   = 2
	diFiles = 3
	diMax   = 4

	// uniqueIDLen is what app_mkpkg.c reserves for unique-id: a SHA-1's
	// length, filled with the first bytes of the SHA-256 of the ADB.
	uniqueIDLen = 20
	// installBlock is app_mkpkg.c's unit for installed-size.
	installBlock = 4096
)

// adb builds the payload of an ADB block: an adb_hdr, then values, each
// aligned as apk-tools' adb_w_* functions align them.
type adb struct{ b []byte }

func newADB() *adb { return &adb{b: make([]byte, adbHeaderLen)} }

// raw appends data at the given alignment and returns its offset.
func (a *adb) raw(data []byte, align int) uint32 {
	for len(a.b)%align != 0 {
		a.b = append(a.b, 0)
	}
	off := len(a.b)
	a.b = append(a.b, data...)
	return uint32(off)
}

// blob is adb_w_blob: an empty blob is the null value; the length prefix
// is 1, 2 or 4 bytes, and the value is aligned to the prefix's size.
func (a *adb) blob(data []byte) uint32 {
	n := len(data)
	switch {
	case n == 0:
		return 0
	case n <= 0xff:
		return adbTypeBlob8 | a.raw(append([]byte{byte(n)}, data...), 1)
	case n <= 0xffff:
		return adbTypeBlob16 | a.raw(append(binary.LittleEndian.AppendUint16(nil, uint16(n)), data...), 2)
	default:
		return adbTypeBlob32 | a.raw(append(binary.LittleEndian.AppendUint32(nil, uint32(n)), data...), 4)
	}
}

func (a *adb) str(s string) uint32 { return a.blob([]byte(s)) }

// integer is adb_w_int: small values sit in the tag, larger ones in an
// aligned 32-bit word. Zero is the tag 0x10000000, not null.
func (a *adb) integer(v uint32) uint32 {
	if v < adbTypeInt {
		return adbTypeInt | v
	}
	return adbTypeInt32 | a.raw(binary.LittleEndian.AppendUint32(nil, v), 4)
}

// object writes slots 1..len(vals) of an object or array the way
// __adb_w_obj does: trailing nulls are dropped, slot 0 holds the count of
// slots including itself, and an object with no non-null slot is null.
func (a *adb) object(typ uint32, vals []uint32) uint32 {
	n := len(vals)
	for n > 0 && vals[n-1] == 0 {
		n--
	}
	if n == 0 {
		return 0
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(n+1))
	for _, v := range vals[:n] {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return typ | a.raw(b, 4)
}

// fields returns the slots of an object with max-1 fields.
func fields(maxIndex int) []uint32 { return make([]uint32, maxIndex-1) }

// APKName is the file name OpenWrt's package-pack.mk gives the package:
// name-version.apk.
func (p Package) APKName() string { return p.Name + "-" + p.Version + ".apk" }

// WriteAPK writes p as an apk v3 package, compressed with deflate as
// `apk mkpkg` does by default. Like OpenWrt's package-pack.mk it adds
// /lib/apk/packages/NAME.list, the package's file list that OpenWrt's
// tools read.
func (p Package) WriteAPK(w io.Writer) error {
	if err := p.validate(); err != nil {
		return err
	}
	p = p.withFileList()
	raw, err := p.apkUncompressed()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(adbDeflate)
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("pkgbuild: deflate apk: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("pkgbuild: deflate apk: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("pkgbuild: write apk: %w", err)
	}
	return nil
}

// withFileList adds /lib/apk/packages/NAME.list: every file's absolute
// path, sorted, one a line, as package-pack.mk makes it.
func (p Package) withFileList() Package {
	var list strings.Builder
	for _, f := range p.sortedFiles() {
		list.WriteString(f.Path + "\n")
	}
	q := p
	q.Files = append(append([]File(nil), p.Files...),
		File{Path: "/lib/apk/packages/" + p.Name + ".list", Mode: 0o644, Data: []byte(list.String())})
	return q
}

// apkUncompressed is the package before compression: file header, ADB
// block, DATA blocks.
func (p Package) apkUncompressed() ([]byte, error) {
	db := newADB()
	files := p.sortedFiles()
	dirs := p.dirs()

	// info
	info := fields(piMax)
	info[piName-1] = db.str(p.Name)
	info[piVersion-1] = db.str(p.Version)
	info[piUniqueID-1] = db.blob(make([]byte, uniqueIDLen))
	uidOff := info[piUniqueID-1]&adbValueMask + 1 // past the blob8 length byte
	info[piDescription-1] = db.str(p.Description)
	info[piArch-1] = db.str(p.Arch)
	info[piLicense-1] = db.str(p.License)
	info[piOrigin-1] = db.str(p.Name)
	info[piMaintainer-1] = db.str(p.Maintainer)
	info[piURL-1] = db.str(p.URL)
	var installed uint32
	for _, f := range files {
		installed += uint32((len(f.Data) + installBlock - 1) / installBlock * installBlock)
	}
	info[piInstalledSize-1] = db.integer(max(installed, installBlock))
	var deps []uint32
	for _, d := range sortedStrings(p.Depends) {
		dep := fields(depMax)
		dep[depName-1] = db.str(d)
		deps = append(deps, db.object(adbTypeObject, dep))
	}
	info[piDepends-1] = db.object(adbTypeArray, deps)
	infoVal := db.object(adbTypeObject, info)

	// paths: one object per directory, its files sorted by name.
	acl := func(mode uint32) uint32 {
		a := fields(aclMax)
		a[aclMode-1] = db.integer(mode)
		a[aclUser-1] = db.str("root")
		a[aclGroup-1] = db.str("root")
		return db.object(adbTypeObject, a)
	}
	mtime := uint32(p.Time.Unix())
	type dataRef struct {
		pathIdx, fileIdx uint32
		data             []byte
	}
	var data []dataRef
	var dirVals []uint32
	for di, d := range dirs {
		var fileVals []uint32
		for _, f := range files {
			if strings.TrimPrefix(path.Dir(f.Path), "/") != d {
				continue
			}
			sum := sha256.Sum256(f.Data)
			fi := fields(fiMax)
			fi[fiName-1] = db.str(path.Base(f.Path))
			fi[fiACL-1] = acl(uint32(f.Mode))
			fi[fiSize-1] = db.integer(uint32(len(f.Data)))
			fi[fiMtime-1] = db.integer(mtime)
			fi[fiHashes-1] = db.blob(sum[:])
			fileVals = append(fileVals, db.object(adbTypeObject, fi))
			if len(f.Data) > 0 {
				data = append(data, dataRef{uint32(di + 1), uint32(len(fileVals)), f.Data})
			}
		}
		dir := fields(diMax)
		dir[diName-1] = db.str(d)
		dir[diACL-1] = acl(0o755)
		dir[diFiles-1] = db.object(adbTypeArray, fileVals)
		dirVals = append(dirVals, db.object(adbTypeObject, dir))
	}
	pkg := fields(pkgMax)
	pkg[pkgInfo-1] = infoVal
	pkg[pkgPaths-1] = db.object(adbTypeArray, dirVals)
	root := db.object(adbTypeObject, pkg)
	binary.LittleEndian.PutUint32(db.b[4:], root)

	// unique-id: the SHA-256 of the ADB with the id zeroed, cut to 20
	// bytes, as app_mkpkg.c fills it in.
	sum := sha256.Sum256(db.b)
	copy(db.b[uidOff:uidOff+uniqueIDLen], sum[:])

	if len(db.b) > 0x3fffffff-4 {
		return nil, fmt.Errorf("pkgbuild: ADB of %d bytes is too large", len(db.b))
	}
	var out bytes.Buffer
	out.WriteString(adbMagic)
	out.WriteString(schemaPackage)
	writeBlock(&out, blockADB, db.b)
	for _, d := range data {
		payload := binary.LittleEndian.AppendUint32(nil, d.pathIdx)
		payload = binary.LittleEndian.AppendUint32(payload, d.fileIdx)
		if len(d.data)+len(payload) > 0x3fffffff-4 {
			return nil, fmt.Errorf("pkgbuild: file of %d bytes needs an extended block", len(d.data))
		}
		writeBlock(&out, blockData, append(payload, d.data...))
	}
	return out.Bytes(), nil
}

// writeBlock writes an adb_block: a 32-bit word with the type in the top
// two bits and the size of header plus payload below, the payload, then
// zeros up to an 8-byte boundary.
func writeBlock(out *bytes.Buffer, typ uint32, payload []byte) {
	raw := 4 + len(payload)
	out.Write(binary.LittleEndian.AppendUint32(nil, typ<<30|uint32(raw)))
	out.Write(payload)
	for ; raw%blockAlignment != 0; raw++ {
		out.WriteByte(0)
	}
}

func sortedStrings(s []string) []string { return slices.Sorted(slices.Values(s)) }
