package server_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

func mustAllow(t *testing.T, patterns ...string) func(string, *http.Request) error {
	t.Helper()
	check, err := server.AllowOrigins(patterns...)
	if err != nil {
		t.Fatal(err)
	}
	return check
}

var errNoOrigin = errors.New("browsers only")

// TestCheckOrigin runs requests for Host example.com through the origin
// policies: AllowOrigins lists, a hook of the caller's, and the default.
func TestCheckOrigin(t *testing.T) {
	one := mustAllow(t, "https://app.example.com")
	type result struct {
		Status int    // 0: accepted
		Err    string // the cause's message
	}
	refused := func(origin, why string) result {
		msg := `handshake: origin "` + origin + `" is not allowed for host "example.com"`
		if origin == "" {
			msg = `handshake: a request without Origin is not allowed for host "example.com"`
		}
		if why != "" {
			msg += ": " + why
		}
		return result{403, msg}
	}
	const notListed = "not one of the allowed origins"
	requireOrigin := func(origin string, r *http.Request) error {
		if origin == "" {
			return errNoOrigin
		}
		if origin != "https://"+r.Host { // the hook sees the request
			return errors.New("not this host")
		}
		return nil
	}
	for _, tt := range []struct {
		name   string
		cfg    *server.Config
		origin string // "" sends none
		h2     bool
		want   result
	}{
		{"one origin: it", &server.Config{CheckOrigin: one}, "https://app.example.com", false, result{}},
		{"one origin: in other case", &server.Config{CheckOrigin: one}, "HTTPS://App.Example.COM", false, result{}},
		{"one origin: none sent", &server.Config{CheckOrigin: one}, "", false, result{}},
		{"one origin: the request's own host", &server.Config{CheckOrigin: one}, "https://example.com", false,
			refused("https://example.com", notListed)},
		{"one origin: other scheme", &server.Config{CheckOrigin: one}, "http://app.example.com", false,
			refused("http://app.example.com", notListed)},
		{"one origin: other port", &server.Config{CheckOrigin: one}, "https://app.example.com:8443", false,
			refused("https://app.example.com:8443", notListed)},
		{"one origin: subdomain", &server.Config{CheckOrigin: one}, "https://evil.app.example.com", false,
			refused("https://evil.app.example.com", notListed)},
		{"one origin: suffix", &server.Config{CheckOrigin: one}, "https://app.example.com.evil.test", false,
			refused("https://app.example.com.evil.test", notListed)},
		{"one origin: null", &server.Config{CheckOrigin: one}, "null", false, refused("null", notListed)},
		{"one origin: HTTP/2", &server.Config{CheckOrigin: one}, "https://app.example.com", true, result{}},
		{"one origin: HTTP/2 own host", &server.Config{CheckOrigin: one}, "https://example.com", true,
			refused("https://example.com", notListed)},
		{"no origins: own host", &server.Config{CheckOrigin: mustAllow(t)}, "https://example.com", false,
			refused("https://example.com", notListed)},
		{"no origins: none sent", &server.Config{CheckOrigin: mustAllow(t)}, "", false, result{}},
		{"patterns: host", &server.Config{CheckOrigin: mustAllow(t, "*.example.org", "http://localhost:*")}, "https://a.example.org", false, result{}},
		{"patterns: scheme", &server.Config{CheckOrigin: mustAllow(t, "*.example.org", "http://localhost:*")}, "http://localhost:3000", false, result{}},
		{"patterns: neither", &server.Config{CheckOrigin: mustAllow(t, "*.example.org", "http://localhost:*")}, "https://localhost:3000", false,
			refused("https://localhost:3000", notListed)},
		{"hook: allows", &server.Config{CheckOrigin: requireOrigin}, "https://example.com", false, result{}},
		{"hook: refuses", &server.Config{CheckOrigin: requireOrigin}, "https://elsewhere.test", false,
			refused("https://elsewhere.test", "not this host")},
		{"hook: sees requests without Origin", &server.Config{CheckOrigin: requireOrigin}, "", false, refused("", errNoOrigin.Error())},
		{"hook and patterns", &server.Config{CheckOrigin: one, OriginPatterns: []string{"*"}}, "https://app.example.com", false,
			result{500, "server: invalid Config: CheckOrigin and OriginPatterns are both set; put the patterns in CheckOrigin (see AllowOrigins)"}},
		{"default: own host", nil, "https://example.com", false, result{}},
		{"default: none sent", nil, "", false, result{}},
		{"default: other", nil, "https://app.example.com", false, refused("https://app.example.com", "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRequest()
			if tt.h2 {
				r = h2Request()
			}
			if tt.origin != "" {
				r.Header["Origin"] = []string{tt.origin}
			}
			_, err := tt.cfg.Accept(r)
			var got result
			if err != nil {
				var e *server.Error
				if !errors.As(err, &e) {
					t.Fatalf("Accept error = %v (%T), want *server.Error", err, err)
				}
				got = result{e.StatusCode, e.Err.Error()}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			switch got.Status {
			case 403:
				var oe *handshake.OriginError
				if !errors.Is(err, handshake.ErrOrigin) || !errors.As(err, &oe) || oe.Origin != tt.origin || oe.Host != "example.com" {
					t.Errorf("error %v is not an *OriginError for %q", err, tt.origin)
				}
				if tt.origin == "" && !errors.Is(err, errNoOrigin) {
					t.Errorf("error %v does not wrap the hook's", err)
				}
			case 500:
				if !errors.Is(err, server.ErrConfig) {
					t.Errorf("error %v does not match ErrConfig", err)
				}
			}
		})
	}
}

func TestAllowOriginsRefusesBadPatterns(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		ok      bool
	}{
		{"https://app.example.com", true},
		{"app.example.com:8080", true},
		{"*", true},
		{"http://[::1]:*", true},
		{"", false},
		{"null", false},
		{"NULL", false},
		{"[bad", false},
		{"https://app.example.com/", false},
		{"https://app.example.com/path", false},
	} {
		t.Run(tt.pattern, func(t *testing.T) {
			check, err := server.AllowOrigins("https://fine.example", tt.pattern)
			if tt.ok != (err == nil) || (check == nil) == tt.ok {
				t.Fatalf("AllowOrigins(%q) = %v, %v; want ok %v", tt.pattern, check != nil, err, tt.ok)
			}
			if err != nil && !errors.Is(err, server.ErrConfig) {
				t.Errorf("error %v does not match ErrConfig", err)
			}
		})
	}
}
