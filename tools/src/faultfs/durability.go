// The durability model of faultfs, independent of FUSE: every change reaches the backing
// directory at once (so reads are plain passthrough), and this model keeps what is needed to
// take the backing directory back to its durable state — the state a machine finds after
// losing power. A file's contents are durable up to its last fsync (or O_SYNC/O_DSYNC write);
// a directory's entries (created, renamed, removed names) up to its last fsync. Like Jepsen's
// LazyFS, nothing is written back in the background: what was not synced is lost.
//
// Undo records, not redo buffers: appends (the common case for logs) cost one size per file;
// only pages overwritten or truncated below the durable size keep their old bytes in memory.
// Names whose inode may have to come back (removed, renamed away or replaced while their
// directory is unsynced) are hard-linked into a stash directory on the same filesystem.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
)

// pageSize is the granularity of saved old contents.
const pageSize = 4096

// fileUndo is what it takes to bring one file's contents back to its last sync.
type fileUndo struct {
	durableSize int64
	// old contents of pages below durableSize that were overwritten or truncated away
	pages map[int64][]byte
}

// entry is one durable directory entry.
type entry struct {
	ino   uint64
	isDir bool
}

// dirUndo is a directory's durable entries, taken at its first change after its last sync.
type dirUndo struct {
	path    string // relative to the backing root, when the snapshot was taken
	entries map[string]entry
}

// Stats counts what a power loss would throw away (or threw away).
type Stats struct {
	Files     int   // files with unsynced contents
	Bytes     int64 // bytes beyond the durable sizes plus saved old pages
	DirtyDirs int   // directories with unsynced entries
}

func (s Stats) String() string {
	return fmt.Sprintf("files=%d bytes=%d dirs=%d", s.Files, s.Bytes, s.DirtyDirs)
}

// ErrPoweredOff is returned for every change after a power loss.
var ErrPoweredOff = errors.New("faultfs: powered off")

// Model tracks unsynced state over a backing directory. Safe for concurrent use.
type Model struct {
	mu      sync.Mutex
	backing string
	stash   string
	files   map[uint64]*fileUndo
	dirs    map[uint64]*dirUndo
	off     bool
}

// NewModel tracks changes under backing; stash must be on the same filesystem (hard links).
func NewModel(backing, stash string) (*Model, error) {
	if err := os.MkdirAll(stash, 0o700); err != nil {
		return nil, err
	}
	return &Model{
		backing: backing, stash: stash,
		files: map[uint64]*fileUndo{}, dirs: map[uint64]*dirUndo{},
	}, nil
}

func (m *Model) abs(rel string) string { return filepath.Join(m.backing, rel) }

func inoOf(st *syscall.Stat_t) uint64 { return st.Ino }

func lstatIno(path string) (uint64, bool, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return 0, false, err
	}
	return inoOf(&st), st.Mode&syscall.S_IFMT == syscall.S_IFDIR, nil
}

func fstatIno(fd int) (uint64, int64, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, 0, err
	}
	return inoOf(&st), st.Size, nil
}

// --- file contents ---------------------------------------------------------------------------

// undoFor returns the file's record, creating it with the current size as durable (a file
// untouched since the mount, or since its last sync, is durable as it is).
func (m *Model) undoFor(ino uint64, size int64) *fileUndo {
	u := m.files[ino]
	if u == nil {
		u = &fileUndo{durableSize: size, pages: map[int64][]byte{}}
		m.files[ino] = u
	}
	return u
}

// savePages keeps the old contents of the pages of [off, end) below the durable size.
func (m *Model) savePages(u *fileUndo, fd int, off, end int64) error {
	if end > u.durableSize {
		end = u.durableSize
	}
	for p := off / pageSize; p*pageSize < end; p++ {
		if _, ok := u.pages[p]; ok {
			continue
		}
		n := int64(pageSize)
		if p*pageSize+n > u.durableSize {
			n = u.durableSize - p*pageSize
		}
		buf := make([]byte, n)
		got, err := syscall.Pread(fd, buf, p*pageSize)
		if err != nil {
			return err
		}
		u.pages[p] = buf[:got]
	}
	return nil
}

// BeforeWrite must run (under the caller's ordering) before a write of n bytes at off to fd.
func (m *Model) BeforeWrite(fd int, off, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return ErrPoweredOff
	}
	ino, size, err := fstatIno(fd)
	if err != nil {
		return err
	}
	return m.savePages(m.undoFor(ino, size), fd, off, off+n)
}

// BeforeTruncate must run before fd's file is truncated (or extended) to size.
func (m *Model) BeforeTruncate(fd int, size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return ErrPoweredOff
	}
	ino, cur, err := fstatIno(fd)
	if err != nil {
		return err
	}
	u := m.undoFor(ino, cur)
	return m.savePages(u, fd, size, u.durableSize)
}

// NewFile records a file created empty: its durable contents are none.
func (m *Model) NewFile(fd int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, _, err := fstatIno(fd)
	if err != nil {
		return err
	}
	m.files[ino] = &fileUndo{durableSize: 0, pages: map[int64][]byte{}}
	return nil
}

// SyncFile makes fd's file contents durable (fsync, fdatasync, O_SYNC write).
func (m *Model) SyncFile(fd int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, _, err := fstatIno(fd)
	if err != nil {
		return err
	}
	delete(m.files, ino)
	return nil
}

// --- directory entries -----------------------------------------------------------------------

func readEntries(dir string) (map[string]entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]entry, len(des))
	for _, de := range des {
		ino, isDir, err := lstatIno(filepath.Join(dir, de.Name()))
		if err != nil {
			return nil, err
		}
		out[de.Name()] = entry{ino: ino, isDir: isDir}
	}
	return out, nil
}

// snapshot records dir's durable entries before its first change since its last sync.
func (m *Model) snapshot(rel string) (*dirUndo, error) {
	ino, _, err := lstatIno(m.abs(rel))
	if err != nil {
		return nil, err
	}
	if d := m.dirs[ino]; d != nil {
		return d, nil
	}
	es, err := readEntries(m.abs(rel))
	if err != nil {
		return nil, err
	}
	d := &dirUndo{path: rel, entries: es}
	m.dirs[ino] = d
	return d, nil
}

// keep hard-links name's inode into the stash if that name is durable in its directory, so a
// power loss can bring it back after it is removed, renamed away or replaced.
func (m *Model) keep(d *dirUndo, rel, name string) error {
	e, ok := d.entries[name]
	if !ok || e.isDir {
		return nil
	}
	cur, _, err := lstatIno(m.abs(filepath.Join(rel, name)))
	if err != nil || cur != e.ino {
		return nil //nolint:nilerr // not there or not the durable inode: nothing to keep
	}
	dst := filepath.Join(m.stash, strconv.FormatUint(e.ino, 10))
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	return os.Link(m.abs(filepath.Join(rel, name)), dst)
}

// BeforeAdd must run before a name is created in directory rel (create, mkdir, link, symlink).
func (m *Model) BeforeAdd(rel string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return ErrPoweredOff
	}
	_, err := m.snapshot(rel)
	return err
}

// BeforeRemove must run before rel/name is unlinked or removed.
func (m *Model) BeforeRemove(rel, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return ErrPoweredOff
	}
	d, err := m.snapshot(rel)
	if err != nil {
		return err
	}
	return m.keep(d, rel, name)
}

// BeforeRename must run before fromDir/from is renamed to toDir/to.
func (m *Model) BeforeRename(fromDir, from, toDir, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return ErrPoweredOff
	}
	src, err := m.snapshot(fromDir)
	if err != nil {
		return err
	}
	dst, err := m.snapshot(toDir)
	if err != nil {
		return err
	}
	if err := m.keep(src, fromDir, from); err != nil {
		return err
	}
	return m.keep(dst, toDir, to)
}

// SyncDir makes directory rel's entries durable.
func (m *Model) SyncDir(rel string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, _, err := lstatIno(m.abs(rel))
	if err != nil {
		return err
	}
	delete(m.dirs, ino)
	return nil
}

// --- whole-filesystem operations -------------------------------------------------------------

// Pending reports what a power loss would throw away now.
func (m *Model) Pending() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pendingLocked(nil)
}

func (m *Model) pendingLocked(paths map[uint64]string) Stats {
	if paths == nil {
		paths, _ = m.inodePaths()
	}
	s := Stats{DirtyDirs: len(m.dirs)}
	for ino, u := range m.files {
		p, ok := paths[ino]
		if !ok {
			continue
		}
		var st syscall.Stat_t
		if syscall.Lstat(p, &st) != nil {
			continue
		}
		extra := st.Size - u.durableSize
		if extra < 0 {
			extra = 0
		}
		extra += changedBytes(p, u)
		if extra > 0 || st.Size != u.durableSize {
			s.Files++
			s.Bytes += extra
		}
	}
	return s
}

// changedBytes counts the durable bytes of p that now differ (overwritten or truncated away).
func changedBytes(p string, u *fileUndo) int64 {
	f, err := os.Open(p)
	if err != nil {
		return 0
	}
	defer f.Close()
	var n int64
	for page, old := range u.pages {
		cur := make([]byte, len(old))
		got, _ := f.ReadAt(cur, page*pageSize)
		for i := range old {
			if i >= got || cur[i] != old[i] {
				n++
			}
		}
	}
	return n
}

// SyncAll makes everything durable, as sync(2) does.
func (m *Model) SyncAll() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files = map[uint64]*fileUndo{}
	m.dirs = map[uint64]*dirUndo{}
	return m.clearStash()
}

func (m *Model) clearStash() error {
	des, err := os.ReadDir(m.stash)
	if err != nil {
		return err
	}
	for _, de := range des {
		if err := os.RemoveAll(filepath.Join(m.stash, de.Name())); err != nil {
			return err
		}
	}
	return nil
}

// inodePaths maps every inode under the backing root and in the stash to one of its paths.
func (m *Model) inodePaths() (map[uint64]string, error) {
	out := map[uint64]string{}
	walk := func(root string) error {
		return filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return nil //nolint:nilerr // vanished while walking: skip
			}
			ino, _, err := lstatIno(p)
			if err == nil {
				if _, seen := out[ino]; !seen {
					out[ino] = p
				}
			}
			return nil
		})
	}
	// The stash first: its links survive the restore, so they are the paths to rely on.
	if err := walk(m.stash); err != nil {
		return nil, err
	}
	return out, walk(m.backing)
}

// PowerLoss takes the backing directory back to its durable state and refuses every change
// from then on. The processes using the filesystem must be dead (as they are after power loss).
func (m *Model) PowerLoss() (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.off = true
	paths, err := m.inodePaths()
	if err != nil {
		return Stats{}, err
	}
	lost := m.pendingLocked(paths)

	// 1. File contents back to their last sync (wherever the inode is now, stash included).
	for ino, u := range m.files {
		p, ok := paths[ino]
		if !ok {
			continue
		}
		if err := restoreFile(p, u); err != nil {
			return lost, fmt.Errorf("restore %s: %w", p, err)
		}
	}
	// 2. Directory entries, parents first: bring back every durable name, then drop the rest.
	dirs := make([]*dirUndo, 0, len(m.dirs))
	for dino, d := range m.dirs {
		if p, ok := paths[dino]; ok {
			if rel, err := filepath.Rel(m.backing, p); err == nil {
				d.path = rel
			}
		}
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i].path) < len(dirs[j].path) })
	// Directories some durable entry names: never removed, moved back instead.
	needed := map[uint64]bool{}
	for _, d := range dirs {
		for _, e := range d.entries {
			if e.isDir {
				needed[e.ino] = true
			}
		}
	}
	for _, d := range dirs {
		if err := m.restoreDir(d, paths, needed); err != nil {
			return lost, err
		}
	}
	m.files = map[uint64]*fileUndo{}
	m.dirs = map[uint64]*dirUndo{}
	return lost, m.clearStash()
}

func restoreFile(p string, u *fileUndo) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(u.durableSize); err != nil {
		return err
	}
	for page, b := range u.pages {
		if _, err := f.WriteAt(b, page*pageSize); err != nil {
			return err
		}
	}
	return f.Sync()
}

func (m *Model) restoreDir(d *dirUndo, paths map[uint64]string, needed map[uint64]bool) error {
	dir := m.abs(d.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cur, err := readEntries(dir)
	if err != nil {
		return err
	}
	// Names present now that are not durable (new, or replaced by another inode) go first,
	// except directories that some durable entry still needs (moved back below).
	for name, c := range cur {
		if e, ok := d.entries[name]; ok && e.ino == c.ino {
			continue
		}
		p := filepath.Join(dir, name)
		if c.isDir && needed[c.ino] {
			continue
		}
		if c.isDir {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		} else if err := os.Remove(p); err != nil {
			return err
		}
		if paths[c.ino] == p {
			delete(paths, c.ino)
		}
	}
	for name, e := range d.entries {
		if c, ok := cur[name]; ok && c.ino == e.ino {
			continue
		}
		p := filepath.Join(dir, name)
		src, ok := paths[e.ino]
		switch {
		case ok && e.isDir:
			if err := os.Rename(src, p); err != nil {
				return err
			}
			paths[e.ino] = p
		case ok:
			if err := os.Link(src, p); err != nil {
				return err
			}
		case e.isDir:
			// A durable directory that no longer exists anywhere: it comes back empty.
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
		default:
			return fmt.Errorf("durable entry %s (inode %d) has no copy left", p, e.ino)
		}
	}
	return nil
}
