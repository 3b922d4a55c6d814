package hub

import (
	"testing"
	"unicode/utf8"

	"github.com/salachat/sala/backend/internal/chat"
)

// FuzzDecodeInbound: any frame decodes into an envelope or fails with
// invalid_envelope; it never panics and never lets an oversized id through.
func FuzzDecodeInbound(f *testing.F) {
	for _, seed := range []string{`{"type":"send","id":"c1","text":"hola"}`, `{"type":"ping","id":"p","t0":1}`,
		`{"type":"send"`, `[]`, `null`, `"x"`, `{"type":1}`, "{\"text\":\"\xff\"}", `{"t0":1e400}`,
		`{"type":"send","id":"` + string(make([]byte, 70)) + `"}`} {
		f.Add([]byte(seed), false)
	}
	f.Add([]byte(`{"type":"send"}`), true)
	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		var in chat.Inbound
		err := decodeInbound(frame, binary, &in)
		if err != nil {
			if chat.ErrorCode(err) != chat.EInvalidEnvelope {
				t.Fatalf("decode %q: %v", frame, err)
			}
			return
		}
		if binary || !utf8.Valid(frame) || chat.ClientIDTooLong(in.ID) {
			t.Fatalf("decode accepted %q (binary=%v) as %+v", frame, binary, in)
		}
	})
}
