package linux

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runc/libcontainer/capabilities"
)

// TestBoundedCapabilitiesMatchCapBnd holds boundedCapabilities (prctl's
// PR_CAPBSET_READ) to the bounding set /proc/self/status shows, read as
// it was before (capability.Load's CapBnd), for every capability
// libcontainer knows.
func TestBoundedCapabilitiesMatchCapBnd(t *testing.T) {
	caps, err := capability.NewPid2(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := caps.Load(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range capability.ListKnown() {
		name := "CAP_" + strings.ToUpper(c.String())
		if slices.Contains(capabilities.KnownCapabilities(), name) && caps.Get(capability.BOUNDING, c) {
			want = append(want, name)
		}
	}
	got := boundedCapabilities()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("boundedCapabilities() =\n%v\nCapBnd holds:\n%v", got, want)
	}
	if len(got) == 0 {
		t.Error("boundedCapabilities() is empty; hull holds at least some capabilities in its bounding set")
	}
}
