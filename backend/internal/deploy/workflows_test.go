package deploy

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// steps returns the steps of a workflow job.
func steps(job any) []map[string]any {
	var out []map[string]any
	list, _ := dig(job, "steps").([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// step finds the first step of job that uses action (owner/name), or nil.
func step(job any, action string) map[string]any {
	for _, s := range steps(job) {
		if uses, _ := s["uses"].(string); strings.HasPrefix(uses, action+"@") {
			return s
		}
	}
	return nil
}

// runs reports whether a step of job runs a command containing cmd.
func runs(job any, cmd string) bool {
	for _, s := range steps(job) {
		if run, _ := s["run"].(string); strings.Contains(run, cmd) {
			return true
		}
	}
	return false
}

// pinnedUses is a `uses:` line pinned to a full commit SHA, with the version
// that commit was tagged as in a comment: a tag can be moved to other code, a
// commit can't, and the comment says what to compare when upgrading.
var pinnedUses = regexp.MustCompile(`^\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)

// TestWorkflowsAreWellFormed parses every GitHub workflow: triggers, jobs
// with a runner and steps, each step a `uses` pinned to a commit or a `run`.
func TestWorkflowsAreWellFormed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	for _, f := range files {
		name, _ := filepath.Rel(root, f)
		doc := loadYAML(t, name)
		if doc["on"] == nil || doc["name"] == nil {
			t.Errorf("%s: no name or no triggers (on)", name)
		}
		jobs, _ := doc["jobs"].(map[string]any)
		if len(jobs) == 0 {
			t.Errorf("%s: no jobs", name)
		}
		for id, job := range jobs {
			if str(job, "runs-on") == "" || len(steps(job)) == 0 {
				t.Errorf("%s: job %s has no runs-on or no steps", name, id)
			}
			for i, s := range steps(job) {
				uses, _ := s["uses"].(string)
				run, _ := s["run"].(string)
				if (uses == "") == (run == "") {
					t.Errorf("%s: job %s step %d needs exactly one of uses and run", name, id, i)
				}
			}
			for _, need := range strs(dig(job, "needs")) {
				if jobs[need] == nil {
					t.Errorf("%s: job %s needs the unknown job %s", name, id, need)
				}
			}
		}
		// YAML drops comments, so the pins are checked on the lines.
		for i, line := range strings.Split(string(readFile(t, name)), "\n") {
			if strings.Contains(line, "uses:") && !pinnedUses.MatchString(line) {
				t.Errorf("%s:%d: %q is not pinned as `uses: owner/action@<40-hex commit> # vX.Y.Z`", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestCIWorkflow checks ci.yml: on push and pull request, a job runs .ci/run
// as root with CI=true (the script CI machines run, so the same tests:
// PostgreSQL, NATS with JetStream, the network-namespace test), with Go from
// go.mod and Node 20; a lint job runs make lint and golangci-lint.
func TestCIWorkflow(t *testing.T) {
	doc := loadYAML(t, ".github/workflows/ci.yml")
	for _, event := range []string{"push", "pull_request"} {
		if on, _ := doc["on"].(map[string]any); on == nil || !hasKey(on, event) {
			t.Errorf("ci.yml does not run on %s", event)
		}
	}
	jobs, _ := doc["jobs"].(map[string]any)
	var test, lint any
	for _, job := range jobs {
		if runs(job, ".ci/run") {
			test = job
		}
		if step(job, "golangci/golangci-lint-action") != nil {
			lint = job
		}
	}
	if test == nil {
		t.Fatal("no job runs .ci/run")
	}
	if !runs(test, "sudo -E") {
		t.Error("the test job must run .ci/run as root keeping its environment (sudo -E): it installs packages and the network-namespace test needs root")
	}
	if runs(test, "make test") || dig(test, "services") != nil {
		t.Error("the test job must get make test, PostgreSQL and NATS from .ci/run alone, not from steps or services of its own")
	}
	if str(test, "env", "CI") != "true" {
		t.Error(`the test job must set CI: "true", or a missing database or NATS would only skip tests`)
	}
	checkToolchains(t, "ci.yml test", test)
	if lint == nil {
		t.Fatal("no job runs golangci-lint")
	}
	if dir := str(step(lint, "golangci/golangci-lint-action"), "with", "working-directory"); dir != "backend" {
		t.Errorf("golangci-lint runs in %q, want backend", dir)
	}
	if !runs(lint, "make lint") {
		t.Error("the lint job does not run make lint (on a fresh checkout, as a new user does)")
	}
}

// checkToolchains checks that a job takes Go from go.mod and Node 20.
func checkToolchains(t *testing.T, where string, job any) {
	t.Helper()
	if v := str(step(job, "actions/setup-go"), "with", "go-version-file"); v != "backend/go.mod" {
		t.Errorf("%s: setup-go's go-version-file is %q, want backend/go.mod", where, v)
	}
	if v := dig(step(job, "actions/setup-node"), "with", "node-version"); v != 20 && v != "20" {
		t.Errorf("%s: setup-node's node-version is %v, want 20", where, v)
	}
}

// TestReleaseWorkflow checks release.yml: on v* tags, binaries for the five
// platforms with the web app built first, and the image pushed to ghcr.io.
func TestReleaseWorkflow(t *testing.T) {
	doc := loadYAML(t, ".github/workflows/release.yml")
	if tags := strs(dig(doc, "on", "push", "tags")); !slices.Contains(tags, "v*") {
		t.Errorf("release.yml runs on tags %v, want v*", tags)
	}
	jobs, _ := doc["jobs"].(map[string]any)
	var targets []string
	var image map[string]any
	for _, job := range jobs {
		include, _ := dig(job, "strategy", "matrix", "include").([]any)
		for _, m := range include {
			targets = append(targets, str(m, "goos")+"/"+str(m, "goarch"))
		}
		if s := step(job, "docker/build-push-action"); s != nil {
			image = s
		}
	}
	for _, want := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"} {
		if !slices.Contains(targets, want) {
			t.Errorf("release.yml builds no binary for %s (builds %v)", want, targets)
		}
	}
	binaries := jobs["binaries"]
	if !slices.Contains(strs(dig(binaries, "needs")), "web") || step(binaries, "actions/download-artifact") == nil {
		t.Error("the binaries job must take the web app built by the web job, to embed it")
	}
	if !runs(jobs["web"], "npm run build") {
		t.Error("the web job does not build the web app")
	}
	if image == nil {
		t.Fatal("release.yml builds no container image (docker/build-push-action)")
	}
	if str(image, "with", "file") != "backend/Dockerfile" || str(image, "with", "context") != "." || dig(image, "with", "push") != true {
		t.Errorf("the image step: %v", image["with"])
	}
	raw := string(readFile(t, ".github/workflows/release.yml"))
	if !strings.Contains(raw, "registry: ghcr.io") || !strings.Contains(raw, "images: ghcr.io/") {
		t.Error("release.yml does not push to ghcr.io")
	}
}

// TestGolangciConfig checks that backend/.golangci.yml is a version 2
// configuration that keeps the standard linters (errcheck, govet,
// ineffassign, staticcheck, unused) and adds the ones CI relies on.
func TestGolangciConfig(t *testing.T) {
	doc := loadYAML(t, "backend/.golangci.yml")
	if v := dig(doc, "version"); v != "2" {
		t.Errorf(`version = %v, want "2"`, v)
	}
	if d := str(doc, "linters", "default"); d != "standard" {
		t.Errorf("linters.default = %q, want standard", d)
	}
	enabled := strs(dig(doc, "linters", "enable"))
	for _, l := range []string{"bodyclose", "gosec", "misspell", "revive"} {
		if !slices.Contains(enabled, l) {
			t.Errorf("linter %s is not enabled", l)
		}
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}
