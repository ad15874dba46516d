package linux

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestResourcesRecord(t *testing.T) {
	l := layout{root: t.TempDir(), id: "c1"}
	for _, d := range []string{l.lcDir(), l.dir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	created := &cgroups.Resources{Memory: 1 << 20}
	t.Run("none yet", func(t *testing.T) {
		got, err := loadResources(l, created)
		if err != nil || got != created {
			t.Errorf("loadResources = %+v, %v; want the resources it was created with", got, err)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		// An older hull kept the record inside libcontainer's directory.
		if err := os.WriteFile(filepath.Join(l.lcDir(), legacyResourcesFile), []byte(`{"memory":3145728}`), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := loadResources(l, created)
		if err != nil || got.Memory != 3<<20 {
			t.Errorf("loadResources = %+v, %v; want the legacy record's 3 MiB", got, err)
		}
	})
	t.Run("saved", func(t *testing.T) {
		idle := int64(1)
		want := &cgroups.Resources{Memory: 2 << 20, CPUIdle: &idle, CpusetCpus: "1",
			BlkioThrottleReadBpsDevice: []*cgroups.ThrottleDevice{cgroups.NewThrottleDevice(8, 0, 100)}}
		if err := saveResources(l, want); err != nil {
			t.Fatal(err)
		}
		got, err := loadResources(l, created)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("loadResources = %+v, %v; want %+v", got, err, want)
		}
		if ents, _ := os.ReadDir(l.dir()); len(ents) != 1 {
			t.Errorf("want only %s in %s, got %v", resourcesFile, l.dir(), ents)
		}
	})
	t.Run("broken", func(t *testing.T) {
		if err := os.WriteFile(l.file(resourcesFile), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadResources(l, created)
		if err == nil || !strings.Contains(err.Error(), resourcesFile) {
			t.Errorf("a broken record: %v, want an error naming %s", err, resourcesFile)
		}
	})
}

// A stopped container's resources cannot change: runc's words lead, and
// the record of the last update stays as it was.
func TestUpdateStopped(t *testing.T) {
	fakeCgroupfs(t)
	root := t.TempDir()
	writeStoppedState(t, root, "c1", t.TempDir(), []string{"bundle=/bundle"})
	c, err := Open(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	limit := int64(64 << 20)
	err = c.Update("", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}}, "", "")
	if !errors.Is(err, libcontainer.ErrNotRunning) || !strings.HasPrefix(err.Error(), "container not running") {
		t.Errorf("Update of a stopped container: %v, want it to lead with \"container not running\"", err)
	}
	if _, err := os.Stat(layout{root: root, id: "c1"}.file(resourcesFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Update of a stopped container wrote %s: %v", resourcesFile, err)
	}
}
