// go.mod for building github.com/opencontainers/runtime-tools v0.9.0, which
// predates modules. scripts/conformance.sh copies it in as go.mod (with
// runtime-tools-v0.9.0.go.sum as go.sum). Each version is the one that
// Godeps/Godeps.json pins (its revision is in the comment), written as the
// tag or pseudo-version the Go module proxy serves for that revision.
// Exceptions, each said on its line:
//   - errwrap: go-multierror v1.0.0 requires v1.0.0 (minimal version
//     selection raises it from the Godeps revision 7554cd9344ce).
//   - selinux: the proxy does not serve revision 2d93b96e1a01 ("v1.1-1",
//     after a non-semver tag); v1.0.0 has the same go-selinux/label API
//     and is only used for SELinux label checks (no SELinux on our hosts).
//   - go-spew, go-difflib, testify: only runtime-tools' own unit tests
//     import them, which we do not build, so they are not listed.
// "go 1.11" keeps the pre-1.22 per-loop variable semantics the code was
// written for.
module github.com/opencontainers/runtime-tools

go 1.11

require (
	github.com/blang/semver v3.5.0+incompatible // b38d23b8782a (v3.5.0)
	github.com/hashicorp/errwrap v1.0.0 // Godeps 7554cd9344ce; see above
	github.com/hashicorp/go-multierror v1.0.0 // 886a7fbe3eb1 (v1.0.0)
	github.com/mndrix/tap-go v0.0.0-20171203230836-629fa407e90b
	github.com/mrunalp/fileutils v0.0.0-20160930181131-4ee1cc9a8058
	github.com/opencontainers/runtime-spec v1.0.2-0.20181111125026-1722abf79c2f // v1.0.1-57-g1722abf
	github.com/opencontainers/selinux v1.0.0 // Godeps 2d93b96e1a01; see above
	github.com/satori/go.uuid v1.1.0 // 879c5887cd47 (v1.1.0)
	github.com/sirupsen/logrus v1.0.2-0.20170713114250-a3f95b5c4235
	github.com/syndtr/gocapability v0.0.0-20170704070218-db04d3cc01c8
	github.com/urfave/cli v1.19.1 // 0bdeddeeb0f6 (v1.19.1)
	github.com/xeipuuv/gojsonpointer v0.0.0-20170225233418-6fe8760cad35
	github.com/xeipuuv/gojsonreference v0.0.0-20150808065054-e02fc20de94c
	github.com/xeipuuv/gojsonschema v0.0.0-20170528113821-0c8571ac0ce1
	golang.org/x/sys v0.0.0-20170407050850-f3918c30c5c2
)
