// Package spec loads, validates and translates an OCI bundle's config.json
// (runtime-spec v1.0.0 to v1.3.x) into a libcontainer configuration.
//
// It is pure translation: it reads config.json and nothing else on the host,
// makes no other system calls, and never looks at the container's rootfs.
// Checks that need the host (does a bind source exist, is an executable in
// the rootfs) live in package linux. Every error names the file, the JSON
// path and the offending value, so a user knows what to fix.
package spec
