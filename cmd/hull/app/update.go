package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func updateCommand(g *globalOptions) *cli.Command {
	str := func(name, usage string) cli.Flag { return &cli.StringFlag{Name: name, Usage: usage} }
	return &cli.Command{
		Name:      "update",
		Usage:     "change the resource limits of a running container",
		ArgsUsage: "<container-id>",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "JSON file with runtime-spec linux.resources, or - for stdin; the other flags are ignored"},
			str("memory", "memory limit in bytes (units like 512m allowed; -1 for none)"),
			str("memory-swap", "memory plus swap limit (-1 for none)"),
			str("memory-reservation", "memory soft limit"),
			str("kernel-memory", "ignored (kernel memory limits are gone from Linux)"),
			str("kernel-memory-tcp", "ignored (kernel memory limits are gone from Linux)"),
			str("cpu-share", "CPU shares (relative weight)"),
			str("cpu-period", "CPU CFS period in microseconds"),
			str("cpu-quota", "CPU CFS quota in microseconds per period (-1 for none)"),
			str("cpu-burst", "CPU CFS burst in microseconds"),
			str("cpu-rt-period", "CPU realtime period in microseconds"),
			str("cpu-rt-runtime", "CPU realtime runtime in microseconds"),
			str("cpu-idle", "1 to make the cgroup SCHED_IDLE, 0 otherwise"),
			str("cpuset-cpus", "CPUs to use, e.g. 0-3,7"),
			str("cpuset-mems", "memory nodes to use, e.g. 0-1"),
			&cli.Int64Flag{Name: "pids-limit", Usage: "maximum number of processes (-1 for none)"},
			&cli.UintFlag{Name: "blkio-weight", Usage: "block I/O weight, 10 to 1000"},
			str("l3-cache-schema", "Intel RDT L3 cache schema"),
			str("mem-bw-schema", "Intel RDT memory bandwidth schema"),
		},
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			source, r, err := updateResources(c)
			if err != nil {
				return err
			}
			return ct.Update(source, r, c.String("l3-cache-schema"), c.String("mem-bw-schema"))
		}),
	}
}

// updateResources reads the requested change from --resources or from
// the flags, and names its source for errors.
func updateResources(c *cli.Context) (string, *specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if in := c.String("resources"); in != "" {
		var data []byte
		var err error
		source := in
		if in == "-" {
			source = "<stdin>"
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(in)
		}
		if err != nil {
			return "", nil, fmt.Errorf("--resources %s: %w", in, err)
		}
		if err := json.Unmarshal(data, r); err != nil {
			return "", nil, fmt.Errorf("--resources %s: not runtime-spec linux.resources JSON: %w", source, err)
		}
		return source, r, nil
	}
	mem := &specs.LinuxMemory{}
	cpu := &specs.LinuxCPU{}
	for _, f := range []struct {
		name string
		dst  **int64
	}{
		{"memory", &mem.Limit}, {"memory-swap", &mem.Swap}, {"memory-reservation", &mem.Reservation},
		{"kernel-memory", &mem.Kernel}, {"kernel-memory-tcp", &mem.KernelTCP}, //nolint:staticcheck // accepted and ignored, as by runc
	} {
		if v := c.String(f.name); v != "" {
			n, err := bytesValue(v)
			if err != nil {
				// runc's words first ("invalid value for memory: invalid
				// size: 'banana'"), then what the flag takes.
				return "", nil, fmt.Errorf("invalid value for %s: %w (--%s takes a size in bytes, with an optional unit (k, m, g), or -1)", f.name, err, f.name)
			}
			*f.dst = &n
		}
	}
	for _, f := range []struct {
		name string
		dst  **uint64
	}{
		{"cpu-share", &cpu.Shares}, {"cpu-period", &cpu.Period}, {"cpu-burst", &cpu.Burst}, {"cpu-rt-period", &cpu.RealtimePeriod},
	} {
		if v := c.String(f.name); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return "", nil, fmt.Errorf("--%s %q: must be a whole number", f.name, v)
			}
			*f.dst = &n
		}
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{
		{"cpu-quota", &cpu.Quota}, {"cpu-rt-runtime", &cpu.RealtimeRuntime}, {"cpu-idle", &cpu.Idle},
	} {
		if v := c.String(f.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "", nil, fmt.Errorf("--%s %q: must be a whole number", f.name, v)
			}
			*f.dst = &n
		}
	}
	cpu.Cpus, cpu.Mems = c.String("cpuset-cpus"), c.String("cpuset-mems")
	r.Memory, r.CPU = mem, cpu
	if c.IsSet("pids-limit") {
		n := c.Int64("pids-limit")
		r.Pids = &specs.LinuxPids{Limit: &n}
	}
	// runc takes --blkio-weight 0 as not given.
	if w := c.Uint("blkio-weight"); w != 0 {
		if w < 10 || w > 1000 {
			return "", nil, fmt.Errorf("--blkio-weight %d: must be from 10 to 1000", w)
		}
		w16 := uint16(w)
		r.BlockIO = &specs.LinuxBlockIO{Weight: &w16}
	}
	return "command line", r, nil
}

// bytesValue reads a size such as 512m or 1g, or -1 for no limit.
func bytesValue(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil {
		return 0, err
	}
	return n, nil
}
