package vm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseShare(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		in      string
		want    Share
		wantErr string
	}{
		{in: dir, want: Share{Host: dir, Guest: dir}},
		{in: dir + ":ro", want: Share{Host: dir, Guest: dir, ReadOnly: true}},
		{in: dir + ":rw", want: Share{Host: dir, Guest: dir}},
		{in: dir + ":/mnt/x", want: Share{Host: dir, Guest: "/mnt/x"}},
		{in: dir + ":/mnt/x:ro", want: Share{Host: dir, Guest: "/mnt/x", ReadOnly: true}},
		{in: dir + ":mnt", wantErr: "not absolute"},
		{in: dir + ":/a:/b:ro", wantErr: "want HOST[:GUEST]"},
		{in: ":ro", wantErr: "want HOST[:GUEST]"},
		{in: filepath.Join(dir, "missing"), wantErr: "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(strings.TrimPrefix(tt.in, dir), "/", "_"), func(t *testing.T) {
			got, err := ParseShare(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseShare(%q) = %+v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseShare(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestImageKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	key := func() string {
		t.Helper()
		k, err := ImageKey(dir)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if _, err := ImageKey(dir); err == nil {
		t.Fatal("ImageKey of an empty directory: no error")
	}
	write("build.sh", "echo a\n", 0o755)
	write("packages.txt", "systemd\n", 0o644)
	k0 := key()
	if k0 != key() {
		t.Fatal("ImageKey is not stable")
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"package added", func() { write("packages.txt", "systemd\npodman\n", 0o644) }},
		{"script changed", func() { write("build.sh", "echo b\n", 0o755) }},
		{"script not executable", func() { write("build.sh", "echo b\n", 0o644) }},
		{"file added", func() { write("guest.service", "", 0o644) }},
		// Content moved from one file to the next must not hash the same.
		{"content moved between files", func() {
			write("guest.service", "x", 0o644)
			write("packages.txt", "systemd\npodma", 0o644)
		}},
	}
	seen := map[string]string{k0: "start"}
	for _, s := range steps {
		s.do()
		k := key()
		if prev, ok := seen[k]; ok {
			t.Errorf("%s: key %s is the key of %s", s.name, k, prev)
		}
		seen[k] = s.name
	}
	// Directories (the editor's, a test's) are not part of the recipe.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if k, last := key(), steps[len(steps)-1].name; seen[k] != last {
		t.Errorf("a subdirectory changed the key")
	}
}

func TestQemuArgs(t *testing.T) {
	cfg := Config{
		Image:  Image{Kernel: "/c/vmlinuz", Initrd: "/c/initrd.img", Rootfs: "/c/rootfs.img"},
		Shares: []Share{{Host: "/repo", Guest: "/repo", ReadOnly: true}, {Host: "/out", Guest: "/out"}},
		CPUs:   2,
	}
	has := func(args []string, pair ...string) bool {
		for i := range args {
			if i+len(pair) <= len(args) && slices.Equal(args[i:i+len(pair)], pair) {
				return true
			}
		}
		return false
	}
	for _, tt := range []struct {
		name              string
		interactive, kvm  bool
		wantAccel         string
		want, wantMissing [][]string
	}{
		{
			name: "tcg", wantAccel: "tcg",
			want: [][]string{
				{"-accel", "tcg,thread=multi"}, {"-smp", "2"}, {"-m", "4096"}, {"-no-reboot"},
				{"-drive", "file=/t/overlay.qcow2,format=qcow2,if=virtio,cache=unsafe,discard=unmap"},
				{"-serial", "file:/t/console.log"},
				{"-virtfs", "local,path=/t/ctl,mount_tag=hullvm-ctl,security_model=none,multidevs=remap"},
				{"-virtfs", "local,path=/repo,mount_tag=hullvm0,security_model=none,multidevs=remap,readonly=on"},
				{"-virtfs", "local,path=/out,mount_tag=hullvm1,security_model=none,multidevs=remap"},
			},
			wantMissing: [][]string{{"-drive", "file=/c/rootfs.img"}},
		},
		{
			name: "kvm interactive", interactive: true, kvm: true, wantAccel: "kvm",
			want: [][]string{{"-accel", "kvm"}, {"-cpu", "host"}, {"-serial", "mon:stdio"}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, accel := qemuArgs(cfg, "/t/ctl", "/t/overlay.qcow2", "/t/console.log", tt.interactive, tt.kvm)
			if accel != tt.wantAccel {
				t.Errorf("accel %s, want %s", accel, tt.wantAccel)
			}
			for _, w := range tt.want {
				if !has(args, w...) {
					t.Errorf("qemu args lack %q:\n%q", w, args)
				}
			}
			for _, w := range tt.wantMissing {
				if has(args, w...) {
					t.Errorf("qemu args have %q:\n%q", w, args)
				}
			}
			if !has(args, "-append", kernelCmdline) || !strings.Contains(kernelCmdline, "systemd.unified_cgroup_hierarchy=1") {
				t.Errorf("kernel command line does not ask for the unified hierarchy: %q", args)
			}
		})
	}
}

func TestWriteControl(t *testing.T) {
	ctl := filepath.Join(t.TempDir(), "ctl")
	shares := []Share{{Host: "/repo", Guest: "/work/repo", ReadOnly: true}, {Host: "/out", Guest: "/out"}}
	if err := writeControl(ctl, shares, "echo hi"); err != nil {
		t.Fatal(err)
	}
	mounts, _ := os.ReadFile(filepath.Join(ctl, "mounts"))
	if want := "hullvm0 /work/repo ro\nhullvm1 /out rw\n"; string(mounts) != want {
		t.Errorf("mounts = %q, want %q", mounts, want)
	}
	cmd, _ := os.ReadFile(filepath.Join(ctl, "cmd"))
	if string(cmd) != "echo hi\n" {
		t.Errorf("cmd = %q", cmd)
	}
	if st, ok := readStatus(ctl); ok {
		t.Errorf("status %d before the guest wrote one", st)
	}
	if err := os.WriteFile(filepath.Join(ctl, "status"), []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, ok := readStatus(ctl); !ok || st != 3 {
		t.Errorf("readStatus = %d, %v; want 3, true", st, ok)
	}
}
