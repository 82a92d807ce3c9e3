package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	_ "github.com/paybridge/paybridge/provider/memprovider"
)

// Every process receiving notifications opens the store on the same database; the
// handlers then run the application's callback once per notification between them.
func ExampleOpen() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err) // the error never contains the password
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	gw, err := paybridge.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()
	h, err := gw.NotificationHandler(func(ctx context.Context, e notify.Event) error {
		// Record the event durably, then return nil.
		return nil
	}, notify.WithStore(store), notify.WithLease(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("POST /paybridge/notifications", h)

	// Forget notifications long after any provider would redeliver them.
	go func() {
		for range time.Tick(6 * time.Hour) {
			if _, err := store.Prune(ctx, 30*24*time.Hour); err != nil {
				log.Print(err)
			}
		}
	}()
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// MigrationSQL gives the table definition for a migration tool.
func ExampleMigrationSQL() {
	sql, err := pgstore.MigrationSQL("billing.notifications")
	if err != nil {
		log.Fatal(err)
	}
	for line := range strings.Lines(sql) {
		if strings.HasPrefix(line, "CREATE") {
			fmt.Print(line)
		}
	}
	// Output:
	// CREATE TABLE IF NOT EXISTS "billing"."notifications" (
	// CREATE INDEX IF NOT EXISTS "notifications_completed_at_idx" ON "billing"."notifications" (completed_at) WHERE completed_at IS NOT NULL;
}
