package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
}

// stage is one FROM and the instructions under it.
type stage struct {
	base, name string
	body       []instruction
}

// parseDockerfile splits a Dockerfile into stages. It knows comments,
// line continuations and the --platform flag of FROM: enough for checks.
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var logical strings.Builder
	flush := func() {
		line := strings.TrimSpace(logical.String())
		logical.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				f = f[1:]
			}
			st := stage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Errorf("%s before the first FROM", in.cmd)
			}
			return
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue // comments and parser directives
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			logical.WriteString(cont + " ")
			continue
		}
		logical.WriteString(trimmed)
		flush()
	}
	flush()
	return stages
}

// find returns the instructions of a stage with that command.
func (s stage) find(cmd string) []instruction {
	var out []instruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// TestDockerfile checks backend/Dockerfile: a web stage on Node 20, a Go
// stage on go.mod's Go that builds a static binary with the web app copied
// in first, and a small final image running as non-root with the data
// volume, port 8080 and a health check.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, string(readFile(t, "backend/Dockerfile")))
	if len(stages) < 3 {
		t.Fatalf("%d stages, want web, build and final", len(stages))
	}
	byName := map[string]stage{}
	for _, s := range stages[:len(stages)-1] {
		if s.name == "" {
			t.Errorf("stage FROM %s has no name", s.base)
		}
		byName[s.name] = s
	}

	web, build, final := byName["web"], byName["build"], stages[len(stages)-1]
	if !strings.HasPrefix(web.base, "node:20") {
		t.Errorf("web stage FROM %q, want node:20 (as CI's setup-node)", web.base)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(readFile(t, "backend/go.mod"))
	if goVersion == nil || !strings.HasPrefix(build.base, "golang:"+string(goVersion[1])) {
		t.Errorf("build stage FROM %q, want golang:%s as go.mod", build.base, goVersion[1])
	}
	copiedWeb, built := -1, -1
	for i, in := range build.body {
		switch {
		case in.cmd == "COPY" && strings.Contains(in.args, "--from=web") && strings.HasSuffix(in.args, "internal/web/dist/"):
			copiedWeb = i
		case in.cmd == "RUN" && strings.Contains(in.args, "go build"):
			built = i
		}
	}
	if copiedWeb < 0 || built < 0 || copiedWeb > built {
		t.Errorf("the build stage must copy the web app into internal/web/dist/ before go build (copy at %d, build at %d)", copiedWeb, built)
	}
	if env := build.find("ENV"); len(env) == 0 || !strings.Contains(env[0].args, "CGO_ENABLED=0") {
		t.Errorf("the build stage does not set CGO_ENABLED=0: %v", env)
	}

	if !strings.Contains(final.base, "distroless/static") && !strings.HasPrefix(final.base, "alpine") {
		t.Errorf("final image FROM %q, want distroless static or alpine", final.base)
	}
	users := final.find("USER")
	if len(users) == 0 {
		t.Error("the final image runs as root: no USER")
	} else if u := users[len(users)-1].args; regexp.MustCompile(`^(root|0)(:|$)`).MatchString(u) {
		t.Errorf("the final image runs as %q", u)
	}
	want := map[string]string{"EXPOSE": "8080", "VOLUME": "/data", "HEALTHCHECK": `"healthcheck"`}
	for cmd, arg := range want {
		found := false
		for _, in := range final.find(cmd) {
			found = found || strings.Contains(in.args, arg)
		}
		if !found {
			t.Errorf("the final image has no %s %s", cmd, arg)
		}
	}
	env := ""
	for _, in := range final.find("ENV") {
		env += in.args + " "
	}
	if !strings.Contains(env, "SALA_DATA_DIR=/data") {
		t.Errorf("the final image does not set SALA_DATA_DIR=/data: %s", env)
	}
	if ep := final.find("ENTRYPOINT"); len(ep) == 0 || !strings.Contains(ep[0].args, "sala") {
		t.Error("the final image has no ENTRYPOINT running sala")
	}

	// Every file copied from the build context exists: a renamed folder
	// must not break the image silently.
	for _, s := range stages {
		for _, in := range s.find("COPY") {
			if strings.Contains(in.args, "--from=") {
				continue
			}
			f := strings.Fields(in.args)
			for _, src := range f[:len(f)-1] {
				if strings.HasPrefix(src, "--") {
					continue
				}
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("COPY %s: %v", src, err)
				}
			}
		}
	}
}
