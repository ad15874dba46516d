// Package linux is hull's host side: the state root, container lookup,
// starting processes with their stdio, terminals and console sockets,
// signals and pid files. It drives libcontainer, which does the namespace,
// mount and cgroup work; this package decides what to ask of it and turns
// its errors into ones that say what to fix.
//
// It must not parse config.json (package spec does) nor print anything
// itself: results go back to the caller, diagnostics through the logger
// libcontainer already uses.
package linux
