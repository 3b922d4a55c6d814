package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// root is the repository root, relative to this package's directory.
const root = "../../.."

// readFile reads a file of the repository.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return data
}

// loadYAML parses a YAML file of the repository into generic maps.
func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(readFile(t, path), &doc); err != nil {
		t.Fatalf("%s is not valid YAML: %v", path, err)
	}
	if doc == nil {
		t.Fatalf("%s is empty", path)
	}
	return doc
}

// dig walks a parsed YAML document along keys; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is dig as a string ("" when missing or not a string).
func str(v any, keys ...string) string {
	s, _ := dig(v, keys...).(string)
	return s
}

// strs is a YAML list (or a single string) as strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestComposeFile checks docker-compose.yml: PostgreSQL 16 with a named
// volume and a pg_isready health check; Sala built from backend/Dockerfile,
// waiting for a healthy database, configured by environment with the JWT
// secret required from outside, on port 8080; optional services off by
// default.
func TestComposeFile(t *testing.T) {
	doc := loadYAML(t, "docker-compose.yml")
	volumes, _ := doc["volumes"].(map[string]any)

	pg := dig(doc, "services", "postgres")
	if img := str(pg, "image"); !strings.HasPrefix(img, "postgres:16") {
		t.Errorf("postgres image %q, want postgres:16", img)
	}
	mounted := false
	for _, v := range strs(dig(pg, "volumes")) {
		name, target, _ := strings.Cut(v, ":")
		if _, declared := volumes[name]; declared && strings.HasPrefix(target, "/var/lib/postgresql/data") {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("postgres keeps its data in no named volume: %v", dig(pg, "volumes"))
	}
	if test := strings.Join(strs(dig(pg, "healthcheck", "test")), " "); !strings.Contains(test, "pg_isready") {
		t.Errorf("postgres health check %q does not run pg_isready", test)
	}

	sala := dig(doc, "services", "sala")
	if ctx, file := str(sala, "build", "context"), str(sala, "build", "dockerfile"); ctx != "." || file != "backend/Dockerfile" {
		t.Errorf("sala is built from %q with %q, want . and backend/Dockerfile", ctx, file)
	}
	if cond := str(sala, "depends_on", "postgres", "condition"); cond != "service_healthy" {
		t.Errorf("sala depends on postgres with condition %q, want service_healthy", cond)
	}
	env, _ := dig(sala, "environment").(map[string]any)
	if db, _ := env["SALA_DATABASE_URL"].(string); !regexp.MustCompile(`^postgres://[^@]+@postgres:5432/`).MatchString(db) {
		t.Errorf("SALA_DATABASE_URL = %q, want postgres://…@postgres:5432/…", db)
	}
	if secret, _ := env["SALA_JWT_SECRET"].(string); !strings.HasPrefix(secret, "${SALA_JWT_SECRET:?") {
		t.Errorf("SALA_JWT_SECRET = %q: it must come from the environment, required (${SALA_JWT_SECRET:?…})", secret)
	}
	if ports := strs(dig(sala, "ports")); len(ports) != 1 || !strings.HasSuffix(ports[0], ":8080") {
		t.Errorf("sala ports %v, want one mapping to 8080", ports)
	}

	services, _ := doc["services"].(map[string]any)
	for name, svc := range services {
		if name != "postgres" && name != "sala" && len(strs(dig(svc, "profiles"))) == 0 {
			t.Errorf("service %s starts by default: put it under a profile", name)
		}
		for _, v := range strs(dig(svc, "volumes")) {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				continue // a bind mount
			}
			if _, declared := volumes[src]; !declared {
				t.Errorf("service %s mounts the undeclared volume %q", name, src)
			}
		}
	}
	// Interpolations must be well formed: a typo here only shows at `up`.
	for _, m := range regexp.MustCompile(`\$\{[^}]*\}?`).FindAllString(string(readFile(t, "docker-compose.yml")), -1) {
		if !regexp.MustCompile(`^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$`).MatchString(m) {
			t.Errorf("malformed interpolation %q", m)
		}
	}
}

// TestComposeConfig runs `docker compose config`, Compose's own validation,
// where the plugin is installed (it needs no Docker engine).
func TestComposeConfig(t *testing.T) {
	if exec.Command("docker", "compose", "version").Run() != nil {
		t.Skip("the Docker Compose plugin is not installed: TestComposeFile's checks stand alone")
	}
	cmd := exec.Command("docker", "compose", "-f", "docker-compose.yml", "--profile", "scale", "config", "-q")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "SALA_JWT_SECRET=0123456789abcdef0123456789abcdef")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
}

// TestDockerignore keeps the build context small and free of secrets.
func TestDockerignore(t *testing.T) {
	lines := strings.Split(string(readFile(t, ".dockerignore")), "\n")
	for _, want := range []string{"**/node_modules", "**/.env"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
