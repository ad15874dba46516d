package spec

// KnownNamespaces lists the namespace types config.json may name, sorted.
func KnownNamespaces() []string {
	return stringKeys(knownNamespaces)
}

// KnownMemoryPolicyModes lists the linux.memoryPolicy modes hull
// translates, sorted.
func KnownMemoryPolicyModes() []string {
	return stringKeys(mpolModes)
}

// KnownMemoryPolicyFlags lists the linux.memoryPolicy flags hull
// translates, sorted.
func KnownMemoryPolicyFlags() []string {
	return stringKeys(mpolFlags)
}

// KnownHooks lists the hook kinds of config.json, in lifecycle order.
func KnownHooks() []string {
	return []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
}

// systemdPropertyPrefix starts the annotations that become properties
// of the container's systemd unit.
const systemdPropertyPrefix = "org.systemd.property."

// PotentiallyUnsafeAnnotations lists the annotations (prefixes end in
// ".") that change what hull does with a container: an engine passing
// user annotations through should filter them. org.criu.config names a
// CRIU configuration file that libcontainer's checkpoint and restore read.
func PotentiallyUnsafeAnnotations() []string {
	return []string{"bundle", systemdPropertyPrefix, "org.criu.config"}
}

func stringKeys[K ~string, V any](m map[K]V) []string {
	keys := sortedKeys(m)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
	}
	return out
}

// RlimitResource is the setrlimit(2) resource of a config.json rlimit
// type such as "RLIMIT_NOFILE".
func RlimitResource(name string) (int, bool) {
	r, ok := rlimitTypes[name]
	return r, ok
}
