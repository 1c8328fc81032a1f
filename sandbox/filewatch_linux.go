package sandbox

import "syscall"

// networkFileSystems are the Linux file systems, by their statfs magic
// number, whose files can change without the kernel's notifications
// hearing of it: the change happens on another machine or on the Windows
// side of WSL2.
var networkFileSystems = map[uint32]string{
	0x6969:     "NFS",
	0xff534d42: "CIFS",
	0xfe534d42: "SMB2",
	0x517b:     "SMB",
	0x01021997: "9p (WSL2 Windows drive)",
}

// remoteFileSystem names the file system dir is on when it is one whose
// changes inotify may miss.
func remoteFileSystem(dir string) (string, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", false
	}
	name, ok := networkFileSystems[uint32(st.Type)]
	return name, ok
}
