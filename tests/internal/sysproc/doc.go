// Package sysproc is what hull's test suites (tests, tests/e2e, the
// conformance driver and the benchmark) need to see and tidy the host's
// processes and mounts: a child-subreaper Reaper that waits for orphaned
// containers without stealing the exit status of commands it started,
// command runs with their output kept in files, /proc/<pid>/stat
// listings, and /proc/self/mountinfo parsing.
//
// It reads /proc and waits for children; it never kills, unmounts or
// removes anything. Deciding what is a leftover and removing it is the
// suites' job. The parsers are plain Go and build everywhere; the Reaper
// needs Linux (prctl PR_SET_CHILD_SUBREAPER, Linux 3.4) and NewReaper
// fails elsewhere.
package sysproc
