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
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "c1"), 0o700); err != nil {
		t.Fatal(err)
	}
	created := &cgroups.Resources{Memory: 1 << 20}
	t.Run("none yet", func(t *testing.T) {
		got, err := loadResources(root, "c1", created)
		if err != nil || got != created {
			t.Errorf("loadResources = %+v, %v; want the resources it was created with", got, err)
		}
	})
	t.Run("saved", func(t *testing.T) {
		idle := int64(1)
		want := &cgroups.Resources{Memory: 2 << 20, CPUIdle: &idle, CpusetCpus: "1",
			BlkioThrottleReadBpsDevice: []*cgroups.ThrottleDevice{cgroups.NewThrottleDevice(8, 0, 100)}}
		if err := saveResources(root, "c1", want); err != nil {
			t.Fatal(err)
		}
		got, err := loadResources(root, "c1", created)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("loadResources = %+v, %v; want %+v", got, err, want)
		}
		if _, err := os.Stat(filepath.Join(root, "c1", resourcesFile+".tmp")); !os.IsNotExist(err) {
			t.Errorf("the temporary file is left: %v", err)
		}
	})
	t.Run("broken", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(root, "c1", resourcesFile), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadResources(root, "c1", created)
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
	c, err := Load(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	limit := int64(64 << 20)
	err = Update(root, c, "", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}}, "", "")
	if !errors.Is(err, libcontainer.ErrNotRunning) || !strings.HasPrefix(err.Error(), "container not running") {
		t.Errorf("Update of a stopped container: %v, want it to lead with \"container not running\"", err)
	}
	if _, err := os.Stat(filepath.Join(root, "c1", resourcesFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Update of a stopped container wrote %s: %v", resourcesFile, err)
	}
}
