// Package api embeds openapi.yaml, the single source of truth of Sala's REST
// API and WebSocket envelopes. The repository root's openapi.yaml is a link
// to this file.
package api

import _ "embed"

// Spec is the OpenAPI 3.1 document.
//
//go:embed openapi.yaml
var Spec []byte
