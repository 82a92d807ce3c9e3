package memprovider_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/provider/memprovider"
)

func TestConfigNeverPrintsCredentials(t *testing.T) {
	fields := secrettest.AssertRedacted(t, &memprovider.Config{})
	if len(fields) != 2 {
		t.Fatalf("checked %v; want APIKey and WebhookKey", fields)
	}
}
