// The FUSE side of faultfs: go-fuse's loopback node and file, with every change first reported
// to the durability Model (durability.go) and every fsync reported as a sync. Kernel
// passthrough of reads and writes is never offered (the file handle does not expose its fd),
// so every write reaches the Model.
package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

type node struct {
	fs.LoopbackNode
	model *Model
}

func newRoot(backing string, m *Model) (fs.InodeEmbedder, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, err
	}
	root := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: r}, model: m}
	}
	n := &node{LoopbackNode: fs.LoopbackNode{RootData: root}, model: m}
	root.RootNode = n
	return n, nil
}

func errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if errors.Is(err, ErrPoweredOff) {
		return syscall.EIO
	}
	return fs.ToErrno(err)
}

// rel is this node's path relative to the backing root ("" for the root).
func (n *node) rel() string { return n.Path(n.Root()) }

func (n *node) abs() string { return filepath.Join(n.RootData.Path, n.rel()) }

var (
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
	_ fs.NodeFsyncer        = (*node)(nil)
)

// readable opens the backing file read-write whatever the caller asked: saving old pages
// before a write needs to read them (the kernel has already checked the caller's access).
func readable(flags uint32) uint32 {
	return flags&^syscall.O_ACCMODE | syscall.O_RDWR
}

func syncFlags(flags uint32) bool {
	return flags&(syscall.O_SYNC|syscall.O_DSYNC) != 0
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if err := n.model.BeforeAdd(n.rel()); err != nil {
		return nil, nil, 0, errno(err)
	}
	ino, fh, fflags, e := n.LoopbackNode.Create(ctx, name, readable(flags), mode, out)
	if e != 0 {
		return ino, fh, fflags, e
	}
	h, err := wrap(fh, n.model, flags)
	if err == nil {
		err = n.model.NewFile(h.fd)
	}
	if err != nil {
		return nil, nil, 0, errno(err)
	}
	return ino, h, fflags, 0
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_TRUNC != 0 {
		// O_TRUNC empties the file before any write: keep its durable pages first.
		if err := n.truncateByPath(0); err != nil {
			return nil, 0, errno(err)
		}
	}
	fh, fflags, e := n.LoopbackNode.Open(ctx, readable(flags))
	if e != 0 {
		return fh, fflags, e
	}
	h, err := wrap(fh, n.model, flags)
	if err != nil {
		return nil, 0, errno(err)
	}
	return h, fflags, 0
}

func (n *node) truncateByPath(size int64) error {
	f, err := os.Open(n.abs())
	if err != nil {
		return err
	}
	defer f.Close()
	return n.model.BeforeTruncate(int(f.Fd()), size)
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if size, ok := in.GetSize(); ok {
		var err error
		if h, isOurs := f.(*fileHandle); isOurs {
			err = n.model.BeforeTruncate(h.fd, int64(size))
		} else {
			err = n.truncateByPath(int64(size))
		}
		if err != nil {
			return errno(err)
		}
	}
	if h, isOurs := f.(*fileHandle); isOurs {
		f = h.lf
	}
	return n.LoopbackNode.Setattr(ctx, f, in, out)
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if err := n.model.BeforeAdd(n.rel()); err != nil {
		return nil, errno(err)
	}
	return n.LoopbackNode.Mkdir(ctx, name, mode, out)
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if err := n.model.BeforeAdd(n.rel()); err != nil {
		return nil, errno(err)
	}
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if err := n.model.BeforeAdd(n.rel()); err != nil {
		return nil, errno(err)
	}
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if err := n.model.BeforeAdd(n.rel()); err != nil {
		return nil, errno(err)
	}
	return n.LoopbackNode.Link(ctx, target, name, out)
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if err := n.model.BeforeRemove(n.rel(), name); err != nil {
		return errno(err)
	}
	return n.LoopbackNode.Unlink(ctx, name)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if err := n.model.BeforeRemove(n.rel(), name); err != nil {
		return errno(err)
	}
	return n.LoopbackNode.Rmdir(ctx, name)
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	to := newParent.EmbeddedInode().Path(n.Root())
	if err := n.model.BeforeRename(n.rel(), name, to, newName); err != nil {
		return errno(err)
	}
	return n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
}

// Not modelled, so refused: callers fall back to plain writes.
func (n *node) CopyFileRange(context.Context, fs.FileHandle, uint64, *fs.Inode, fs.FileHandle, uint64, uint64, uint64) (uint32, syscall.Errno) {
	return 0, syscall.ENOTSUP
}

func (n *node) Tmpfile(context.Context, uint32, uint32, *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, syscall.ENOTSUP
}

// Fsync on a node without a handle of ours (a directory, or a file fsynced by path).
func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	if h, ok := f.(*fileHandle); ok {
		return h.Fsync(ctx, flags)
	}
	return n.syncDir()
}

func (n *node) syncDir() syscall.Errno {
	d, err := os.Open(n.abs())
	if err != nil {
		return errno(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return errno(err)
	}
	return errno(n.model.SyncDir(n.rel()))
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	ds, e := fs.NewLoopbackDirStream(n.abs())
	if e != 0 {
		return nil, 0, e
	}
	return &dirHandle{ds: ds, node: n}, 0, 0
}

// dirHandle is the loopback directory stream plus a fsyncdir that reaches the Model.
type dirHandle struct {
	ds   fs.DirStream
	node *node
}

var (
	_ fs.FileReaddirenter = (*dirHandle)(nil)
	_ fs.FileFsyncdirer   = (*dirHandle)(nil)
	_ fs.FileReleasedirer = (*dirHandle)(nil)
	_ fs.FileSeekdirer    = (*dirHandle)(nil)
)

func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	return d.ds.(fs.FileReaddirenter).Readdirent(ctx)
}

func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	return d.ds.(fs.FileSeekdirer).Seekdir(ctx, off)
}

func (d *dirHandle) Releasedir(ctx context.Context, flags uint32) {
	d.ds.(fs.FileReleasedirer).Releasedir(ctx, flags)
}

func (d *dirHandle) Fsyncdir(context.Context, uint32) syscall.Errno {
	return d.node.syncDir()
}

// fileHandle forwards to go-fuse's LoopbackFile after telling the Model. It deliberately
// does not implement FilePassthroughFder: kernel passthrough would bypass the Model.
type fileHandle struct {
	lf    *fs.LoopbackFile
	fd    int
	sync  bool // opened O_SYNC or O_DSYNC: every write is durable when it returns
	model *Model
}

func wrap(fh fs.FileHandle, m *Model, flags uint32) (*fileHandle, error) {
	lf, ok := fh.(*fs.LoopbackFile)
	if !ok {
		return nil, syscall.EIO
	}
	fd, ok := lf.PassthroughFd()
	if !ok {
		return nil, syscall.EBADF
	}
	return &fileHandle{lf: lf, fd: fd, sync: syncFlags(flags), model: m}, nil
}

var (
	_ fs.FileReader    = (*fileHandle)(nil)
	_ fs.FileWriter    = (*fileHandle)(nil)
	_ fs.FileFsyncer   = (*fileHandle)(nil)
	_ fs.FileFlusher   = (*fileHandle)(nil)
	_ fs.FileReleaser  = (*fileHandle)(nil)
	_ fs.FileGetattrer = (*fileHandle)(nil)
	_ fs.FileSetattrer = (*fileHandle)(nil)
	_ fs.FileLseeker   = (*fileHandle)(nil)
	_ fs.FileAllocater = (*fileHandle)(nil)
)

func (h *fileHandle) Read(ctx context.Context, buf []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return h.lf.Read(ctx, buf, off)
}

func (h *fileHandle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if err := h.model.BeforeWrite(h.fd, off, int64(len(data))); err != nil {
		return 0, errno(err)
	}
	n, e := h.lf.Write(ctx, data, off)
	if e == 0 && h.sync {
		// The backing fd carries O_SYNC/O_DSYNC too, so the write is on disk already.
		e = errno(h.model.SyncFile(h.fd))
	}
	return n, e
}

func (h *fileHandle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if e := h.lf.Fsync(ctx, flags); e != 0 {
		return e
	}
	return errno(h.model.SyncFile(h.fd))
}

func (h *fileHandle) Flush(ctx context.Context) syscall.Errno { return h.lf.Flush(ctx) }

func (h *fileHandle) Release(ctx context.Context) syscall.Errno { return h.lf.Release(ctx) }

func (h *fileHandle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	return h.lf.Getattr(ctx, out)
}

func (h *fileHandle) Setattr(ctx context.Context, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if size, ok := in.GetSize(); ok {
		if err := h.model.BeforeTruncate(h.fd, int64(size)); err != nil {
			return errno(err)
		}
	}
	return h.lf.Setattr(ctx, in, out)
}

func (h *fileHandle) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	return h.lf.Lseek(ctx, off, whence)
}

func (h *fileHandle) Allocate(ctx context.Context, off, size uint64, mode uint32) syscall.Errno {
	if err := h.model.BeforeWrite(h.fd, int64(off), int64(size)); err != nil {
		return errno(err)
	}
	return h.lf.Allocate(ctx, off, size, mode)
}
