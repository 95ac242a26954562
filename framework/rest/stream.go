package rest

import "net/http"

// Stream is a method result that writes its own answer over time (a change stream) instead of
// being encoded: the call's headers are set, then ServeStream runs until the stream ends. An
// error it returns before writing anything is answered in the error envelope as any other;
// once it has written, it must end the answer itself and return nil.
type Stream interface {
	ServeStream(w http.ResponseWriter, r *http.Request) error
}
