package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func dialWith(ctx context.Context, url string) (*websocket.Conn, *http.Response, error) {
	return websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: newDialers(nil)[0]})
}

// rawServer serves each connection to a loopback listener with serve, for
// servers that misbehave below HTTP, and returns the listener's address.
// The listener closes when the test ends; serve's connection when it returns.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestUpgraderCarriesAWebSocket: a connection dialled through the bench's
// transport exchanges frames both ways.
func TestUpgraderCarriesAWebSocket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx := r.Context()
		_ = ws.Write(ctx, websocket.MessageText, []byte("first"))
		_, msg, err := ws.Read(ctx)
		if err != nil {
			return
		}
		_ = ws.Write(ctx, websocket.MessageText, append([]byte("echo "), msg...))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := dialWith(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for _, want := range []string{"first", "echo hello"} {
		if want == "echo hello" {
			if err := ws.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
				t.Fatal(err)
			}
		}
		_, got, err := ws.Read(ctx)
		if err != nil || string(got) != want {
			t.Fatalf("read %q, %v; want %q", got, err, want)
		}
	}
}

// TestUpgraderKeepsFramesThatCameWithTheResponse: a server that sends its
// first frame in the same write as its 101 has that frame read, not lost in
// the handshake's buffer.
func TestUpgraderKeepsFramesThatCameWithTheResponse(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+base64.StdEncoding.EncodeToString(sum[:])+"\r\n\r\n"+
			"\x81\x05first") // one write: the response and an unmasked text frame
		_, _ = io.Copy(io.Discard, c)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := dialWith(ctx, "ws://"+addr+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if _, got, err := ws.Read(ctx); err != nil || string(got) != "first" {
		t.Fatalf("read %q, %v; want \"first\"", got, err)
	}
}

// TestUpgraderReportsRefusals: a refused handshake is an error that names
// the status, as the setup's messages rely on.
func TestUpgraderReportsRefusals(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"code":"unauthorized"}`, http.StatusUnauthorized)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := dialWith(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dial = %v, response %v; want a refusal with 401", err, resp)
	}
}

// TestUpgraderGivesUpWithItsContext: a server that accepts the connection
// and never answers holds the dial no longer than its context.
func TestUpgraderGivesUpWithItsContext(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) {
		_, _ = io.Copy(io.Discard, c) // held open, never answered
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := dialWith(ctx, "ws://"+addr+"/")
	if err == nil {
		t.Fatal("dial succeeded against a silent server")
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("dial took %v with a 200 ms context", waited)
	}
}
