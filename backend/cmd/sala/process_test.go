package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// salaBinary builds the sala command once per test run, for tests that need
// a real process to signal or kill.
func salaBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sala-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sala")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// serverProcess is `sala serve` running as its own process.
type serverProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	env  []string
	addr string
	done chan error
}

// startProcess runs sala serve with env (SALA_* settings) on a free port.
func startProcess(t *testing.T, addr string, env ...string) *serverProcess {
	t.Helper()
	if addr == "" {
		addr = freeAddr(t)
	}
	p := &serverProcess{t: t, env: env, addr: addr}
	p.start()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *serverProcess) start() {
	p.t.Helper()
	p.cmd = exec.Command(salaBinary(p.t), "serve")
	p.cmd.Env = append(os.Environ(), append([]string{"SALA_ADDR=" + p.addr, "SALA_LOG_LEVEL=warn", "SALA_SIGNUP_RATE=0"}, p.env...)...)
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
			res.Body.Close()
			return
		}
	}
	p.t.Fatalf("sala serve did not answer /healthz on %s", p.addr)
}

// signal sends sig and waits for the process to exit.
func (p *serverProcess) signal(sig syscall.Signal) error {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		p.t.Fatalf("sala did not exit after %v", sig)
		return nil
	}
}

func (p *serverProcess) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
