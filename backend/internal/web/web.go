// Package web embeds the built web app. `make build` copies frontend/dist
// into dist/ before compiling, so the release binary serves the SPA itself;
// a binary built without it serves the API only (or SALA_WEB_DIR).
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Embedded returns the embedded web app, or nil when this binary was built
// without one.
func Embedded() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}
