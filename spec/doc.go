// Package spec loads, validates and translates an OCI bundle's config.json
// (runtime-spec v1.0.0 to v1.3.x) into a libcontainer configuration.
//
// It is pure translation: it reads config.json and nothing else on the host,
// makes no other system calls, and never looks at the container's rootfs.
// Checks that need the host (does a bind source exist, is an executable in
// the rootfs, is SELinux on, is a joined netns the host's) live in package
// linux; what Translate needs from the host comes in through Options
// (UserNSMappings, SeccompFlagSupported). The one exception is Default,
// which, like "runc spec", looks at the cgroup version and the caller's
// ids; DefaultFor is its pure form.
//
// Every error names the file, the JSON path and the offending value, so a
// user knows what to fix (see FieldError), and Validate reports all
// problems at once.
//
// Translate produces what runc's specconv produces for the same input
// (oracle_test.go checks it field by field and lists the few intended
// differences). Validate refuses only what runc 1.5 also fails on, but
// up front, with every problem at once, where runc fails later with a
// cryptic error (a missing process or cwd, soft > hard rlimits, a mount
// of type "bind" without a "bind" option, hook paths and timeouts, ...);
// config.json must hold one JSON object and nothing after it.
//
// What runc runs but ignores or reinterprets (an ociVersion hull does not
// know, a missing process.user, unknown capability names, device rule
// letters other than r, w and m, personality flags, relative paths,
// kernel memory limits, ...) is accepted and listed by Warnings, which
// create logs and "hull check" prints.
package spec
