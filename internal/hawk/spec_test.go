package hawk

import "testing"

// TestPublishedExamples checks the examples published with the Hawk specification and
// reused by other Hawk implementations' test suites.
func TestPublishedExamples(t *testing.T) {
	cred := Credentials{ID: "123456", Key: Key("2983d45yun89q")}
	const url = "https://example.net/somewhere/over/the/rainbow"
	base := RequestOptions{Timestamp: 1353809207, Nonce: "Ygvqdz", ContentType: "text/plain"}
	tests := []struct {
		name      string
		method    string
		url       string
		payload   string
		ext       string
		noPayload bool
		hash, mac string
	}{
		{name: "payload", method: "POST", url: url, payload: "something to write about",
			hash: "2QfCt3GuY9HQnHWyWD3wX68ZOKbynqlfYmuO2ZBRqtY=", mac: "HTgtd0jPI6E4izx8e4OHdO36q00xFCU0FolNq3RiCYs="},
		{name: "payload and ext", method: "POST", url: url, payload: "something to write about", ext: "Bazinga!",
			hash: "2QfCt3GuY9HQnHWyWD3wX68ZOKbynqlfYmuO2ZBRqtY=", mac: "q1CwFoSHzPZSkbIvl0oYlD+91rBUEvFk763nMjMndj8="},
		{name: "empty payload", method: "POST", url: url,
			hash: "q/t+NNAkQZNlq/aAD6PlexImwQTxwgT2MahfTa9XRLA=", mac: "U5k16YEzn3UnBHKeBzsDXn067Gu3R4YaY6xOt9PYRZM="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := base
			opts.Payload, opts.HasPayload, opts.Ext = []byte(tc.payload), !tc.noPayload, tc.ext
			_, a, err := RequestHeader(cred, tc.method, tc.url, opts)
			if err != nil {
				t.Fatal(err)
			}
			if a.Hash != tc.hash {
				t.Errorf("hash = %q, want %q", a.Hash, tc.hash)
			}
			if mac := MAC(cred.Key, TypeHeader, a); mac != tc.mac {
				t.Errorf("mac = %q, want %q", mac, tc.mac)
			}
		})
	}
}
