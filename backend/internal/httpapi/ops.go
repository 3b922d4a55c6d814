package httpapi

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
)

func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Log.Warn("readiness: database not ready", "err", err)
		if chat.ErrorCode(err) == chat.EUnavailable { // the store says why: unreachable, refusing writes
			return chat.Errorf(chat.EUnavailable, "%s", chat.ErrorMessage(err))
		}
		return chat.Errorf(chat.EUnavailable, "The database did not answer in time.")
	}
	if err := s.Hub.Ready(); err != nil { // in a cluster: NATS reachable and the node in step
		s.Log.Warn("readiness: cluster not ready", "err", err)
		return chat.Errorf(chat.EUnavailable, "This node is not connected to the cluster.")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) spec(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", s.Spec)
}

// webApp serves the single-page app: files as they are, and index.html for
// any other path so the app's router can take it.
func (s *server) webApp(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if name == "api" || strings.HasPrefix(name, "api/") {
		return echo.ErrNotFound // an unknown API path is an error, not the app
	}
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(s.Web, name); err != nil || st.IsDir() {
		if !errors.Is(err, fs.ErrNotExist) && err != nil {
			return err
		}
		name = "index.html"
	}
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset name: cache them for good.
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return echo.StaticFileHandler(name, s.Web)(c)
}
