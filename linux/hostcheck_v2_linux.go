package linux

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// cgroup2Root is where a cgroup v2 host mounts its one hierarchy (as
// libcontainer's fs2 manager assumes).
const cgroup2Root = "/sys/fs/cgroup"

// cgroupV2Host is what the host checks need to know of a cgroup v2 host.
type cgroupV2Host struct {
	// controllers are those this host offers containers: the root
	// cgroup's cgroup.controllers (in a cgroup namespace, those delegated).
	controllers map[string]bool
	// hasFile says whether a cgroup with controller ctrl enabled has the
	// file; known is false when hull found no such cgroup to look in.
	hasFile func(ctrl, file string) (has, known bool)
}

// readCgroupV2Host reads the controllers of the host, and looks for
// interface files in a non-root cgroup that has the controller enabled
// (the root cgroup lacks most of them, memory.max among them): hull's
// own cgroup first, else the first child of the root that has it.
func readCgroupV2Host() cgroupV2Host {
	h := cgroupV2Host{controllers: map[string]bool{}}
	if data, err := os.ReadFile(filepath.Join(cgroup2Root, "cgroup.controllers")); err == nil {
		for _, c := range strings.Fields(string(data)) {
			h.controllers[c] = true
		}
	}
	var dirs []string
	if own, err := ownCgroup2(); err == nil && own != "" && own != "/" {
		dirs = append(dirs, filepath.Join(cgroup2Root, own))
	}
	if ents, err := os.ReadDir(cgroup2Root); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(cgroup2Root, e.Name()))
			}
		}
	}
	h.hasFile = func(ctrl, file string) (bool, bool) {
		for _, d := range dirs {
			ctrls, err := os.ReadFile(filepath.Join(d, "cgroup.controllers"))
			if err != nil || (ctrl != "cgroup" && !slices.Contains(strings.Fields(string(ctrls)), ctrl)) {
				continue
			}
			return fileExists(filepath.Join(d, file)), true
		}
		return false, false
	}
	return h
}

// unifiedCoreFiles are the cgroup.* files a container's
// linux.resources.unified may set: limits on its own sub-cgroups. The
// other cgroup.* files are not resource settings: cgroup.subtree_control
// enables controllers, cgroup.procs and cgroup.threads move processes,
// cgroup.freeze and cgroup.kill are pause and kill, cgroup.type changes
// the cgroup's kind; each would undo what hull manages.
var unifiedCoreFiles = map[string]bool{"cgroup.max.depth": true, "cgroup.max.descendants": true}

// unifiedKeyProblem says what is wrong with a linux.resources.unified key
// on the cgroup v2 host h, "" for nothing: libcontainer finds it only
// while it writes the cgroup's files, after the container's init has
// been started, with an error that names neither the field nor the fix.
func unifiedKeyProblem(key string, h cgroupV2Host) string {
	if strings.Contains(key, "/") {
		return "a unified key is a file name in the container's cgroup, without '/'; remove the directory part"
	}
	ctrl, param, ok := strings.Cut(key, ".")
	if !ok || ctrl == "" || param == "" {
		return "a unified key has the form CONTROLLER.PARAMETER (e.g. memory.high), a file of the container's cgroup; fix the name"
	}
	if ctrl == "cgroup" {
		if !unifiedCoreFiles[key] {
			return fmt.Sprintf("%s is not a resource setting: hull manages it (for the container's own cgroup core files only %s may be set); remove it",
				key, strings.Join(sortedKeys(unifiedCoreFiles), " and "))
		}
		return ""
	}
	if !h.controllers[ctrl] {
		return fmt.Sprintf("this host has no controller %q for containers (cgroup v2, available: %s); remove it or enable the controller",
			ctrl, strings.Join(sortedKeys(h.controllers), " "))
	}
	if has, known := h.hasFile(ctrl, key); known && !has {
		return fmt.Sprintf("this kernel's %s controller has no file %s; check its name (see the files %s.* of a cgroup under %s)", ctrl, key, ctrl, cgroup2Root)
	}
	return ""
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// checkCgroupV2 is checkCgroupControllers on a cgroup v2 host: the
// controllers a setting needs must be available to containers, and the
// unified keys must name files libcontainer can write.
func checkCgroupV2(pr *prepared, r *specs.LinuxResources) {
	h := readCgroupV2Host()
	for _, k := range slices.Sorted(maps.Keys(r.Unified)) {
		if msg := unifiedKeyProblem(k, h); msg != "" {
			pr.field(SeverityError, spec.Path("linux.resources.unified", k), r.Unified[k], msg)
		}
	}
	need := func(path, controller string, set bool) bool {
		if !set {
			return false
		}
		if !h.controllers[controller] {
			pr.field(SeverityError, path, nil, fmt.Sprintf("this host has no cgroup v2 %s controller for containers (available: %s); remove it",
				controller, strings.Join(sortedKeys(h.controllers), " ")))
			return false
		}
		return true
	}
	need("linux.resources.hugepageLimits", "hugetlb", len(r.HugepageLimits) > 0)
	need("linux.resources.rdma", "rdma", len(r.Rdma) > 0)
	need("linux.resources.pids", "pids", r.Pids != nil && r.Pids.Limit != nil)
	if c := r.CPU; c != nil {
		need("linux.resources.cpu", "cpu", c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.Idle != nil)
		need("linux.resources.cpu.cpus", "cpuset", c.Cpus != "" || c.Mems != "")
	}
	if m := r.Memory; m != nil {
		ok := need("linux.resources.memory", "memory", m.Limit != nil || m.Reservation != nil || m.Swap != nil)
		// memory.swap.max is there only when the kernel accounts swap
		// (CONFIG_MEMCG_SWAP, not swapaccount=0).
		if has, known := h.hasFile("memory", "memory.swap.max"); ok && m.Swap != nil && *m.Swap > 0 && known && !has {
			pr.field(SeverityError, "linux.resources.memory.swap", *m.Swap, "this kernel does not account swap (no memory.swap.max); remove the swap limit")
		}
	}
	if bio := r.BlockIO; bio != nil {
		weighted := bio.Weight != nil || len(bio.WeightDevice) > 0
		throttled := len(bio.ThrottleReadBpsDevice)+len(bio.ThrottleWriteBpsDevice)+len(bio.ThrottleReadIOPSDevice)+len(bio.ThrottleWriteIOPSDevice) > 0
		ok := need("linux.resources.blockIO", "io", weighted || throttled)
		if ok && bio.Weight != nil {
			bfq, known := h.hasFile("io", "io.bfq.weight")
			iow, _ := h.hasFile("io", "io.weight")
			if known && !bfq && !iow {
				pr.field(SeverityError, "linux.resources.blockIO.weight", *bio.Weight,
					"this kernel's io controller has no weight files (no BFQ scheduler, no io.weight); remove it")
			}
		}
	}
}
