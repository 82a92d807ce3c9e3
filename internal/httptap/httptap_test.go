package httptap

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCounterCountsEachRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	c := &Counter{}
	client := &http.Client{Transport: c}
	for want := int64(1); want <= 3; want++ {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if got := c.Count(); got != want {
			t.Fatalf("after %d requests: Count() = %d", want, got)
		}
	}
}
