package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
)

// Received is one message as the server got it: the envelope, the raw data and the
// decoded parts.
type Received struct {
	From     string      // envelope sender (MAIL FROM)
	To       []string    // envelope recipients (RCPT TO)
	Data     []byte      // the raw message as sent after DATA
	Header   mail.Header // parsed header fields (raw, not MIME-word decoded)
	Subject  string      // Subject, MIME-word decoded
	Text     string      // first text/plain part, transfer-decoded, line ends as "\n"
	HTML     string      // first text/html part, transfer-decoded, line ends as "\n"
	TLS      bool        // whether the connection was encrypted when DATA arrived
	AuthUser string      // the user that authenticated, "" without AUTH
	Err      error       // why Header/Subject/Text/HTML could not be parsed; nil when they were
}

// clone deep-copies r.
func (r Received) clone() Received {
	r.To = slices.Clone(r.To)
	r.Data = bytes.Clone(r.Data)
	if r.Header != nil {
		h := make(mail.Header, len(r.Header))
		for k, v := range r.Header {
			h[k] = slices.Clone(v)
		}
		r.Header = h
	}
	return r
}

// parse fills Header, Subject, Text and HTML from Data, or Err.
func (r *Received) parse() {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		r.Err = fmt.Errorf("mailtest: read message: %w", err)
		return
	}
	r.Header = msg.Header
	if r.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		r.Err = fmt.Errorf("mailtest: decode Subject: %w", err)
		return
	}
	if err := r.walk(msg.Header, msg.Body, 0); err != nil {
		r.Err = err
	}
}

// headerGetter is what mail.Header and textproto.MIMEHeader have in common.
type headerGetter interface {
	Get(key string) string
}

// maxDepth bounds multipart nesting.
const maxDepth = 5

// walk descends into multipart bodies and keeps the first text/plain and text/html leaves.
func (r *Received) walk(h headerGetter, body io.Reader, depth int) error {
	mediaType, params := "text/plain", map[string]string{}
	if ct := h.Get("Content-Type"); ct != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(ct); err != nil {
			return fmt.Errorf("mailtest: Content-Type %q: %w", ct, err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			return fmt.Errorf("mailtest: multipart nested deeper than %d", maxDepth)
		}
		return r.walkMultipart(params["boundary"], body, depth)
	}
	decoded, err := io.ReadAll(transferDecoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("mailtest: decode %s body: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(decoded), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && r.Text == "":
		r.Text = text
	case mediaType == "text/html" && r.HTML == "":
		r.HTML = text
	}
	return nil
}

// walkMultipart walks each part of a multipart body.
func (r *Received) walkMultipart(boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return errors.New("mailtest: multipart without boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextRawPart() // raw: the transfer encoding is decoded by walk
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mailtest: next part: %w", err)
		}
		if err := r.walk(part.Header, part, depth+1); err != nil {
			return err
		}
	}
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, body)
	default:
		return body
	}
}
