package hostinfo

import (
	"io/fs"
	"syscall"
)

// FileSystem is what statfs(2) says of the file system a folder is on.
type FileSystem struct {
	// Free is what an unprivileged writer may still use, in bytes.
	Free uint64
	// Tmpfs is set for RAM (as /tmp is on OpenWrt), ReadOnly when
	// mounted so: free blocks it has, but no one may write them.
	Tmpfs, ReadOnly bool
}

// tmpfsMagic is TMPFS_MAGIC of linux/magic.h.
const tmpfsMagic = 0x01021994

// stRdonly is ST_RDONLY of statfs(2)'s f_flags.
const stRdonly = 1

// Statfs reads the file system dir is on.
func Statfs(dir string) (FileSystem, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return FileSystem{}, err
	}
	return FileSystem{Free: uint64(st.Bavail) * uint64(st.Bsize), Tmpfs: uint64(st.Type) == tmpfsMagic,
		ReadOnly: st.Flags&stRdonly != 0}, nil
}

// MachineID is /etc/machine-id as the file holds it; nil when there is
// none (OpenWrt has none).
func MachineID(root fs.FS) []byte {
	b, err := fs.ReadFile(root, "etc/machine-id")
	if err != nil {
		return nil
	}
	return b
}
