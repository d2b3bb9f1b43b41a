// faultfs: a fault-injecting passthrough filesystem for the real-server durability tests, in
// the manner of Jepsen's LazyFS. Everything passes through to a backing directory; what has
// not been fsynced can be thrown away with a "power-loss" command, as a machine losing power
// would (durability.go says exactly what counts as synced).
//
//	faultfs -backing DIR -mount DIR -control SOCKET [-stash DIR]
//
// Prints "ready" once mounted. Control: one command per connection to the unix socket, one
// line back ("ok ..." or "error ..."):
//
//	stats       what a power loss would throw away now
//	sync        make everything durable (as sync(2))
//	power-loss  throw away everything unsynced, unmount, exit (the processes using the mount
//	            must be dead first, as they are when the power goes)
//
// SIGTERM/SIGINT unmount cleanly, keeping everything (a clean shutdown flushes its caches).
// Needs root (it mounts with mount(2) directly; fusermount3 is not needed).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

func main() {
	backing := flag.String("backing", "", "backing directory (the real data)")
	mnt := flag.String("mount", "", "mount point")
	control := flag.String("control", "", "unix socket for control commands")
	stash := flag.String("stash", "", "stash directory on the backing filesystem (default <backing>.stash)")
	flag.Parse()
	if *backing == "" || *mnt == "" || *control == "" {
		fmt.Fprintln(os.Stderr, "usage: faultfs -backing DIR -mount DIR -control SOCKET [-stash DIR]")
		os.Exit(2)
	}
	if *stash == "" {
		*stash = strings.TrimSuffix(*backing, "/") + ".stash"
	}
	if err := run(*backing, *mnt, *control, *stash); err != nil {
		fmt.Fprintln(os.Stderr, "faultfs:", err)
		os.Exit(1)
	}
}

func run(backing, mnt, control, stash string) error {
	model, err := NewModel(backing, stash)
	if err != nil {
		return err
	}
	root, err := newRoot(backing, model)
	if err != nil {
		return err
	}
	zero := time.Duration(0)
	server, err := fs.Mount(mnt, root, &fs.Options{
		// No kernel caching of names or attributes: what a process sees is the backing state.
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			FsName:            "faultfs",
			Name:              "faultfs",
			DirectMountStrict: true,
			AllowOther:        true,
			MaxWrite:          1 << 20,
		},
	})
	if err != nil {
		return fmt.Errorf("mount %s: %w", mnt, err)
	}
	_ = os.Remove(control)
	ln, err := net.Listen("unix", control)
	if err != nil {
		_ = server.Unmount()
		return err
	}
	defer os.Remove(control)

	done := make(chan error, 3)
	var closing atomic.Bool
	go serveControl(ln, model, server, mnt, &closing, done)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		closing.Store(true)
		done <- unmount(server, mnt)
	}()
	go func() {
		// Unmounted from outside (umount, fusermount3 -u): nothing left to serve.
		server.Wait()
		if !closing.Load() {
			done <- nil
		}
	}()
	fmt.Println("ready")
	return <-done
}

// unmount unmounts mnt. go-fuse's Unmount also waits for the kernel to end the connection,
// which never happens while a copy of the mount lives in another mount namespace or a
// process holds a file: then the mount is detached, and the connection ends when this
// process exits.
func unmount(server *fuse.Server, mnt string) error {
	errc := make(chan error, 1)
	go func() { errc <- server.Unmount() }()
	select {
	case err := <-errc:
		if err == nil {
			return nil
		}
	case <-time.After(2 * time.Second):
	}
	if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil && err != syscall.EINVAL {
		return fmt.Errorf("unmount %s: %w", mnt, err)
	}
	return nil
}

func serveControl(ln net.Listener, m *Model, server *fuse.Server, mnt string, closing *atomic.Bool, done chan<- error) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		line, _ := bufio.NewReader(c).ReadString('\n')
		switch strings.TrimSpace(line) {
		case "stats":
			fmt.Fprintf(c, "ok %s\n", m.Pending())
		case "sync":
			if err := m.SyncAll(); err != nil {
				fmt.Fprintf(c, "error %v\n", err)
			} else {
				fmt.Fprintln(c, "ok")
			}
		case "power-loss":
			closing.Store(true)
			t0 := time.Now()
			lost, err := m.PowerLoss()
			fmt.Fprintf(os.Stderr, "faultfs: power-loss: restored in %v (lost %s, err %v)\n", time.Since(t0), lost, err)
			if err == nil {
				err = unmount(server, mnt)
				fmt.Fprintf(os.Stderr, "faultfs: power-loss: unmounted in %v (err %v)\n", time.Since(t0), err)
			}
			if err != nil {
				fmt.Fprintf(c, "error %v\n", err)
			} else {
				fmt.Fprintf(c, "ok lost %s\n", lost)
			}
			_ = c.Close()
			done <- err
			return
		default:
			fmt.Fprintf(c, "error unknown command %q (stats, sync, power-loss)\n", strings.TrimSpace(line))
		}
		_ = c.Close()
	}
}
