package spec

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCgroupV1Only(t *testing.T) {
	tests := []struct {
		name string
		res  *specs.LinuxResources
		// want is each finding's path and a word of its advice, in order.
		want [][2]string
	}{
		{"nil", nil, nil},
		{"v2-fields-only", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr(int64(1 << 20)), Swap: ptr(int64(1 << 20))},
			CPU:    &specs.LinuxCPU{Shares: ptr(uint64(512))},
			Pids:   &specs.LinuxPids{Limit: ptr(int64(5))},
		}, nil},
		{"swappiness", &specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr(uint64(0))}},
			[][2]string{{"linux.resources.memory.swappiness", "memory.swap.max"}}},
		{"oom-killer-off", &specs.LinuxResources{Memory: &specs.LinuxMemory{DisableOOMKiller: ptr(true)}},
			[][2]string{{"linux.resources.memory.disableOOMKiller", "can still be OOM killed"}}},
		{"oom-killer-on", &specs.LinuxResources{Memory: &specs.LinuxMemory{DisableOOMKiller: ptr(false)}}, nil},
		{"realtime", &specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr(int64(950000)), RealtimePeriod: ptr(uint64(1000000))}},
			[][2]string{{"linux.resources.cpu.realtimeRuntime", "sched_rt_runtime_us"}, {"linux.resources.cpu.realtimePeriod", "remove it"}}},
		{"leaf-weights", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
			LeafWeight: ptr(uint16(300)),
			WeightDevice: []specs.LinuxWeightDevice{
				{Weight: ptr(uint16(200))},
				{LeafWeight: ptr(uint16(100))},
			},
		}}, [][2]string{{"linux.resources.blockIO.leafWeight", "blockIO.weight"}, {"linux.resources.blockIO.weightDevice[1].leafWeight", "entry's weight"}}},
		{"network", &specs.LinuxResources{Network: &specs.LinuxNetwork{
			ClassID:    ptr(uint32(0x100001)),
			Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}},
		}}, [][2]string{{"linux.resources.network.classID", "socket cgroupv2"}, {"linux.resources.network.priorities[0]", "SO_PRIORITY"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CgroupV1Only("config.json", tt.res)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d: %v", len(got), len(tt.want), got)
			}
			for i, fe := range got {
				msg := fe.Error()
				if fe.Path != tt.want[i][0] || !strings.Contains(msg, tt.want[i][1]) || !strings.Contains(msg, "cgroup v2 has no") || strings.Contains(msg, "\n") {
					t.Errorf("finding %d: %q, want path %s and %q on one line", i, msg, tt.want[i][0], tt.want[i][1])
				}
			}
		})
	}
}
