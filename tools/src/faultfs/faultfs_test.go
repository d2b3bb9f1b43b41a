// Tests of faultfs through a real FUSE mount (root and /dev/fuse needed, as in CI): ordinary
// file operations on the mount, then a power loss, then the backing directory must hold
// exactly the durable state — synced contents and synced directory entries, nothing else.
package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

type mounted struct {
	backing, mnt string
	model        *Model
	server       *fuse.Server
}

func mount(t *testing.T) *mounted {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("faultfs mounts need root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	dir := t.TempDir()
	m := &mounted{backing: filepath.Join(dir, "b"), mnt: filepath.Join(dir, "m")}
	for _, d := range []string{m.backing, m.mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if m.model, err = NewModel(m.backing, m.backing+".stash"); err != nil {
		t.Fatal(err)
	}
	root, err := newRoot(m.backing, m.model)
	if err != nil {
		t.Fatal(err)
	}
	zero := time.Duration(0)
	m.server, err = fs.Mount(m.mnt, root, &fs.Options{
		EntryTimeout: &zero, AttrTimeout: &zero, NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{DirectMountStrict: true, FsName: "faultfs-test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unmount(m.server, m.mnt) })
	return m
}

func (m *mounted) path(rel string) string { return filepath.Join(m.mnt, rel) }

// powerLoss drops everything unsynced and unmounts; the backing dir is what survived.
func (m *mounted) powerLoss(t *testing.T) Stats {
	t.Helper()
	lost, err := m.model.PowerLoss()
	if err != nil {
		t.Fatal(err)
	}
	if err := unmount(m.server, m.mnt); err != nil {
		t.Fatal(err)
	}
	return lost
}

func (m *mounted) backingFile(t *testing.T, rel string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(m.backing, rel))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func write(t *testing.T, path string, flags int, data string, fsync bool) {
	t.Helper()
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if fsync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func syncDirT(t *testing.T, path string) {
	t.Helper()
	d, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestUnsyncedAppendIsLostSyncedPrefixKept(t *testing.T) {
	m := mount(t)
	write(t, m.path("log"), os.O_CREATE|os.O_WRONLY, "one\n", true)
	syncDirT(t, m.mnt)
	write(t, m.path("log"), os.O_WRONLY|os.O_APPEND, "two\n", false)
	if got, _ := os.ReadFile(m.path("log")); string(got) != "one\ntwo\n" {
		t.Fatalf("before power loss the mount shows %q, want both lines (page cache)", got)
	}
	lost := m.powerLoss(t)
	if got, ok := m.backingFile(t, "log"); !ok || got != "one\n" {
		t.Fatalf("after power loss log = %q (present %v), want %q", got, ok, "one\n")
	}
	if lost.Files != 1 || lost.Bytes != 4 {
		t.Fatalf("lost %v, want 1 file and 4 bytes", lost)
	}
}

func TestOverwriteAndTruncateComeBack(t *testing.T) {
	m := mount(t)
	write(t, m.path("f"), os.O_CREATE|os.O_WRONLY, strings.Repeat("a", 10000), true)
	syncDirT(t, m.mnt)
	f, err := os.OpenFile(m.path("f"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("BBBB"), 4094); err != nil { // straddles two pages
		t.Fatal(err)
	}
	if err := f.Truncate(5000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m.powerLoss(t)
	if got, _ := m.backingFile(t, "f"); got != strings.Repeat("a", 10000) {
		t.Fatalf("after power loss f has %d bytes, first B at %d; want the synced 10000 a's",
			len(got), strings.IndexByte(got, 'B'))
	}
}

func TestNewFileNeedsItsDirectorySynced(t *testing.T) {
	m := mount(t)
	if err := os.Mkdir(m.path("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	syncDirT(t, m.mnt)
	// Contents synced, directory not: the name is lost (strict POSIX, as LazyFS).
	write(t, m.path("orphan"), os.O_CREATE|os.O_WRONLY, "x", true)
	// Both synced: survives.
	write(t, m.path("d/kept"), os.O_CREATE|os.O_WRONLY, "y", true)
	syncDirT(t, m.path("d"))
	m.powerLoss(t)
	if _, ok := m.backingFile(t, "orphan"); ok {
		t.Fatal("orphan survived although its directory was never synced")
	}
	if got, ok := m.backingFile(t, "d/kept"); !ok || got != "y" {
		t.Fatalf("d/kept = %q (present %v), want %q", got, ok, "y")
	}
}

func TestAtomicReplaceRenameAndUnlink(t *testing.T) {
	m := mount(t)
	write(t, m.path("meta"), os.O_CREATE|os.O_WRONLY, "v1", true)
	write(t, m.path("gone"), os.O_CREATE|os.O_WRONLY, "keep me", true)
	syncDirT(t, m.mnt)
	// Write-temp-then-rename without the directory fsync: the old version must come back.
	write(t, m.path("meta.tmp"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, "v2", true)
	if err := os.Rename(m.path("meta.tmp"), m.path("meta")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(m.path("gone")); err != nil {
		t.Fatal(err)
	}
	m.powerLoss(t)
	if got, _ := m.backingFile(t, "meta"); got != "v1" {
		t.Fatalf("meta = %q after an unsynced rename, want v1", got)
	}
	if _, ok := m.backingFile(t, "meta.tmp"); ok {
		t.Fatal("meta.tmp exists, but it was never durable")
	}
	if got, _ := m.backingFile(t, "gone"); got != "keep me" {
		t.Fatalf("gone = %q after an unsynced unlink, want it back", got)
	}
	if des, _ := os.ReadDir(m.backing + ".stash"); len(des) != 0 {
		t.Fatalf("stash not emptied: %d entries", len(des))
	}
}

func TestAtomicReplaceWithDirectorySyncIsDurable(t *testing.T) {
	m := mount(t)
	write(t, m.path("meta"), os.O_CREATE|os.O_WRONLY, "v1", true)
	syncDirT(t, m.mnt)
	write(t, m.path("meta.tmp"), os.O_CREATE|os.O_WRONLY, "v2", true)
	if err := os.Rename(m.path("meta.tmp"), m.path("meta")); err != nil {
		t.Fatal(err)
	}
	syncDirT(t, m.mnt)
	m.powerLoss(t)
	if got, _ := m.backingFile(t, "meta"); got != "v2" {
		t.Fatalf("meta = %q, want v2 (renamed and directory synced)", got)
	}
}

func TestOSyncWritesAreDurable(t *testing.T) {
	m := mount(t)
	write(t, m.path("s"), os.O_CREATE|os.O_WRONLY, "", true)
	syncDirT(t, m.mnt)
	write(t, m.path("s"), os.O_WRONLY|os.O_APPEND|os.O_SYNC, "synced", false)
	write(t, m.path("s"), os.O_WRONLY|os.O_APPEND, "+lost", false)
	m.powerLoss(t)
	if got, _ := m.backingFile(t, "s"); got != "synced" {
		t.Fatalf("s = %q, want the O_SYNC write only", got)
	}
}

func TestWritesAfterPowerLossFail(t *testing.T) {
	m := mount(t)
	write(t, m.path("f"), os.O_CREATE|os.O_WRONLY, "x", true)
	f, err := os.OpenFile(m.path("f"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := m.model.PowerLoss(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("late"); err == nil {
		t.Fatal("a write after the power went succeeded")
	}
}

func TestControlSocket(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("faultfs mounts need root")
	}
	dir := t.TempDir()
	b, mnt, sock := filepath.Join(dir, "b"), filepath.Join(dir, "m"), filepath.Join(dir, "c.sock")
	_ = os.Mkdir(b, 0o755)
	_ = os.Mkdir(mnt, 0o755)
	errc := make(chan error, 1)
	go func() { errc <- run(b, mnt, sock, b+".stash") }()
	send := func(cmd string) string {
		t.Helper()
		var c net.Conn
		var err error
		for i := 0; i < 100; i++ {
			if c, err = net.Dial("unix", sock); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = c.Write([]byte(cmd + "\n"))
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(line)
	}
	if got := send("stats"); got != "ok files=0 bytes=0 dirs=0" {
		t.Fatalf("stats on a fresh mount: %q", got)
	}
	write(t, filepath.Join(mnt, "x"), os.O_CREATE|os.O_WRONLY, "12345", false)
	if got := send("stats"); got != "ok files=1 bytes=5 dirs=1" {
		t.Fatalf("stats after an unsynced create+write: %q", got)
	}
	if got := send("bogus"); !strings.HasPrefix(got, "error unknown command") {
		t.Fatalf("bogus command: %q", got)
	}
	if got := send("power-loss"); got != "ok lost files=1 bytes=5 dirs=1" {
		t.Fatalf("power-loss: %q", got)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == 0x65735546 { // FUSE_SUPER_MAGIC
		t.Fatal("still mounted after power-loss")
	}
	if des, _ := os.ReadDir(b); len(des) != 0 {
		t.Fatalf("backing holds %d entries after losing an unsynced create", len(des))
	}
}
