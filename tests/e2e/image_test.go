//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// The busybox image every engine runs: /bin/busybox with a symlink per
// applet, /etc/passwd and /etc/group with root and nobody. No registry is
// reachable, so the tests build it here and import it.

type rootfsEntry struct {
	name     string // relative, no leading slash
	typeflag byte
	mode     int64
	linkname string
	body     []byte
}

var (
	rootfsOnce    sync.Once
	rootfsEntries []rootfsEntry
	rootfsErr     error
)

// busyboxRootfs returns the entries of the rootfs, in tar order.
func busyboxRootfs() ([]rootfsEntry, error) {
	rootfsOnce.Do(func() {
		bb, err := os.ReadFile("/bin/busybox")
		if err != nil {
			rootfsErr = fmt.Errorf("busybox (apt-get install busybox-static): %w", err)
			return
		}
		out, err := exec.Command("/bin/busybox", "--list").Output()
		if err != nil {
			rootfsErr = fmt.Errorf("busybox --list: %w", err)
			return
		}
		var es []rootfsEntry
		for _, d := range []string{"bin", "dev", "etc", "proc", "root", "run", "sys", "tmp", "usr", "var"} {
			mode := int64(0o755)
			if d == "tmp" {
				mode = 0o1777
			}
			es = append(es, rootfsEntry{name: d + "/", typeflag: tar.TypeDir, mode: mode})
		}
		es = append(es, rootfsEntry{name: "bin/busybox", typeflag: tar.TypeReg, mode: 0o755, body: bb})
		applets := strings.Fields(string(out))
		sort.Strings(applets)
		for _, a := range applets {
			if a == "busybox" || strings.Contains(a, "/") {
				continue
			}
			es = append(es, rootfsEntry{name: "bin/" + a, typeflag: tar.TypeSymlink, mode: 0o777, linkname: "busybox"})
		}
		files := []struct{ name, content string }{
			{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
			{"etc/group", "root:x:0:\nnobody:x:65534:\n"},
			{"etc/hostname", "busybox\n"},
		}
		for _, f := range files {
			es = append(es, rootfsEntry{name: f.name, typeflag: tar.TypeReg, mode: 0o644, body: []byte(f.content)})
		}
		rootfsEntries = es
	})
	return rootfsEntries, rootfsErr
}

// rootfsTar writes the rootfs as an uncompressed tar (podman import).
func rootfsTar() ([]byte, error) {
	es, err := busyboxRootfs()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(1700000000, 0)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Typeflag: e.typeflag, Mode: e.mode, Linkname: e.linkname,
			Size: int64(len(e.body)), ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeRootfsDir materializes the rootfs in dir (bundles given to ctr with
// --config need a directory).
func writeRootfsDir(dir string) error {
	es, err := busyboxRootfs()
	if err != nil {
		return err
	}
	for _, e := range es {
		p := filepath.Join(dir, e.name)
		switch e.typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, os.FileMode(e.mode&0o777)); err != nil {
				return err
			}
			if err := os.Chmod(p, os.FileMode(e.mode&0o777)|modeBits(e.mode)); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.WriteFile(p, e.body, os.FileMode(e.mode)); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(e.linkname, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func modeBits(m int64) os.FileMode {
	if m&0o1000 != 0 {
		return os.ModeSticky
	}
	return 0
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// writeOCIArchive writes an OCI image layout as a tar archive (what
// `ctr image import` reads): oci-layout, index.json and blobs/sha256/ with
// the config, the manifest and one gzipped layer. The index names the
// image ref through the annotations ctr understands.
func writeOCIArchive(path, ref string) error {
	layer, err := rootfsTar()
	if err != nil {
		return err
	}
	return writeImageArchive(path, ref, layer, map[string]any{
		"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		"Cmd": []string{"sh"},
	})
}

// writePauseArchive writes, as writeOCIArchive does, an image whose one
// file is the program pause at /pause, its entrypoint: the pod sandbox
// image of the CRI test, like registry.k8s.io/pause.
func writePauseArchive(path, ref string, pause []byte) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	h := &tar.Header{Name: "pause", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(pause)),
		ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if _, err := tw.Write(pause); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return writeImageArchive(path, ref, buf.Bytes(), map[string]any{"Entrypoint": []string{"/pause"}})
}

// writeImageArchive writes the OCI image archive of one layer (an
// uncompressed tar) with the image config's "config" section cfg.
func writeImageArchive(path, ref string, layer []byte, cfg map[string]any) error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(layer); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	layerGz := gz.Bytes()

	config, err := json.Marshal(map[string]any{
		"created":      "2023-11-14T22:13:20Z",
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       cfg,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{digestOf(layer)}},
	})
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{
			"mediaType": "application/vnd.oci.image.config.v1+json",
			"digest":    digestOf(config), "size": len(config),
		},
		"layers": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
			"digest":    digestOf(layerGz), "size": len(layerGz),
		}},
	})
	if err != nil {
		return err
	}
	tagName := ref[strings.LastIndex(ref, ":")+1:]
	index, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json",
			"digest":    digestOf(manifest), "size": len(manifest),
			"platform": map[string]string{"architecture": runtime.GOARCH, "os": "linux"},
			"annotations": map[string]string{
				"io.containerd.image.name":          ref,
				"org.opencontainers.image.ref.name": tagName,
			},
		}},
	})
	if err != nil {
		return err
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	mtime := time.Unix(1700000000, 0)
	add := func(name string, body []byte, dir bool) error {
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: mtime, Typeflag: tar.TypeReg}
		if dir {
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	blob := func(b []byte) string { return "blobs/sha256/" + strings.TrimPrefix(digestOf(b), "sha256:") }
	steps := []struct {
		name string
		body []byte
		dir  bool
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`), false},
		{"blobs/", nil, true},
		{"blobs/sha256/", nil, true},
		{blob(layerGz), layerGz, false},
		{blob(config), config, false},
		{blob(manifest), manifest, false},
		{"index.json", index, false},
	}
	for _, s := range steps {
		if err := add(s.name, s.body, s.dir); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}
