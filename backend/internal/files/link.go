package files

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Links signs and checks the links of files: /api/v1/files/{id}?exp=…&sig=…,
// where sig is an HMAC of the id and exp (Unix seconds) under a key drawn
// from the server's secret. A link is handed only to those who may read a
// message carrying the file (and to its uploader), so that <img src> works
// without a header. Every node signs with the same key (the cluster shares
// SALA_JWT_SECRET), so any node serves a link any node made.
//
// A link ends at the top of the hour after the next one: it works for one
// to two hours, and within an hour every link to a file is the same URL,
// which browsers cache.
type Links struct {
	key []byte
	now func() time.Time
}

// linkPeriod is the step of the links' expiry times.
const linkPeriod = time.Hour

// NewLinks returns the signer of links under secret (nil now: time.Now).
func NewLinks(secret []byte, now func() time.Time) *Links {
	if now == nil {
		now = time.Now
	}
	// A key of its own, so that a link's signature is nothing else's
	// (a token's, say).
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("sala file links v1"))
	return &Links{key: mac.Sum(nil), now: now}
}

// URL is a link to file id, relative to the server.
func (l *Links) URL(id string) string {
	exp := (l.now().Unix()/int64(linkPeriod.Seconds()) + 2) * int64(linkPeriod.Seconds())
	return fmt.Sprintf("/api/v1/files/%s?exp=%d&sig=%s", id, exp, l.sign(id, exp))
}

// Check returns invalid_link unless sig is this server's signature of id
// and exp, and exp has not passed.
func (l *Links) Check(id, exp, sig string) error {
	at, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(l.sign(id, at))) {
		return chat.Errorf(chat.EInvalidLink, "this file link is not valid: take the file's url from a message")
	}
	if l.now().Unix() >= at {
		return chat.Errorf(chat.EInvalidLink, "this file link has expired: history and new messages carry fresh ones")
	}
	return nil
}

func (l *Links) sign(id string, exp int64) string {
	mac := hmac.New(sha256.New, l.key)
	fmt.Fprintf(mac, "%s\n%d", id, exp)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Sign fills in the URLs of attachments, in a copy.
func (l *Links) Sign(atts []chat.Attachment) []chat.Attachment {
	if len(atts) == 0 {
		return atts
	}
	out := make([]chat.Attachment, len(atts))
	for i, a := range atts {
		a.URL = l.URL(a.ID)
		out[i] = a
	}
	return out
}
