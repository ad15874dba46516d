// Package linux is hull's host side: the state root, container lookup,
// starting processes with their stdio, terminals and console sockets,
// signals and pid files. It drives libcontainer, which does the namespace,
// mount and cgroup work; this package decides what to ask of it and turns
// its errors into ones that say what to fix. Container owns one
// container: its state directories (see layout in statedir_linux.go),
// its lifecycle, one file per operation (container_*_linux.go), and the
// intent record that lets `delete --force` remove a container whose hull
// was killed half-way (intent_linux.go).
//
// It must not parse config.json (package spec does) nor print anything
// itself: results go back to the caller, diagnostics through the logger
// libcontainer already uses.
package linux
