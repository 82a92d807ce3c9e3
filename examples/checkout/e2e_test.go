package main

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paybridge/paybridge/internal/testwait"
)

// findChromium returns the path of a Chromium or Chrome binary. Without one the test is
// skipped, except under CI (CI=true), where a missing browser is a broken setup and
// fails the test; .ci/chromium.sh installs Debian's chromium.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no Chromium or Chrome on PATH; install one (Debian: apt-get install chromium, or . .ci/chromium.sh) to run the browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
	return ""
}

// newBrowser starts a headless Chromium for the test and returns its context. The
// background-networking flags keep Chromium from reaching out to the internet by itself.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the test may run as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1000, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first action starts the browser; it lives as long as this context.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return browser
}

// TestBrowserCheckout buys the notebook with each simulated provider in a real browser:
// product page, the provider's hosted page, approve, back to the shop, wait for the
// notification to mark the order paid, then refund where the provider can.
func TestBrowserCheckout(t *testing.T) {
	browser := newBrowser(t)
	a := startTestShop(t)

	for _, m := range a.sims.methods {
		t.Run(m.Name, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser)
			defer cancelTab()
			if err := chromedp.Do(tab); err != nil { // opens the tab, outside the step timeouts
				t.Fatal(err)
			}
			step := func(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				ctx, cancel := context.WithTimeout(tab, timeout)
				defer cancel()
				if err := chromedp.Do(ctx, actions...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			location := func() *url.URL {
				t.Helper()
				ctx, cancel := context.WithTimeout(tab, testwait.Limit)
				defer cancel()
				loc, err := chromedp.Run(ctx, chromedp.Location())
				if err != nil {
					t.Fatalf("reading the location: %v", err)
				}
				u, err := url.Parse(loc)
				if err != nil {
					t.Fatalf("location %q: %v", loc, err)
				}
				return u
			}

			step("buying on the product page", testwait.Limit,
				chromedp.Navigate(a.url+"/"),
				chromedp.Click(chromedp.CSS("#method-"+m.Name)),
				chromedp.Click(chromedp.CSS("#pay")),
				chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)))
			shop, _ := url.Parse(a.url)
			if page := location(); page.Host == shop.Host {
				t.Fatalf("the approve button is on %s, the shop itself, not on the provider's hosted page", page)
			}

			step("approving on the hosted page and waiting for the paid order", testwait.Limit,
				chromedp.Click(chromedp.CSS(`button[value="approve"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#status[data-status="paid"]`)))
			page := location()
			if page.Host != shop.Host || !strings.HasPrefix(page.Path, "/orders/") {
				t.Fatalf("after approving, the browser is at %s, not on the shop's order page", page)
			}
			id := strings.TrimPrefix(page.Path, "/orders/")
			o, ok := a.shop.orders.Get(id)
			if !ok {
				t.Fatalf("the order page names order %q, which the shop does not have", id)
			}
			if o.Status != StatusPaid || !slices.Contains(o.Events, "payment.succeeded") {
				t.Fatalf("order %s is %q after events %v; want paid by a payment.succeeded notification", id, o.Status, o.Events)
			}
			screenshot(t, tab, m.Name+"-paid.png")

			if ok, _ := m.canRefund(); !ok {
				ctx, cancel := context.WithTimeout(tab, testwait.Limit)
				defer cancel()
				if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#refund-unavailable"))); err != nil {
					t.Fatalf("the paid order page does not say refunds are unavailable with %s: %v", m.Name, err)
				}
				buttons, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#refund"), chromedp.AtLeast(0)))
				if err != nil {
					t.Fatal(err)
				}
				if len(buttons) != 0 {
					t.Fatalf("the order page offers a refund button although %s cannot refund", m.Name)
				}
				return
			}
			step("refunding and waiting for the refunded order", testwait.Limit,
				chromedp.Click(chromedp.CSS("#refund")),
				chromedp.WaitVisible(chromedp.CSS(`#status[data-status="refunded"]`)))
			o, _ = a.shop.orders.Get(id)
			if o.Status != StatusRefunded || !slices.Contains(o.Events, "refund.succeeded") || o.RefundID == "" {
				t.Fatalf("order %s is %q with refund %q after events %v; want refunded by a refund.succeeded notification",
					id, o.Status, o.RefundID, o.Events)
			}
		})
	}
}

// screenshot saves the tab's page as a PNG test artifact (kept with go test -artifacts).
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, testwait.Limit)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		t.Fatalf("the screenshot is not a usable PNG (%dx%d): %v", cfg.Width, cfg.Height, err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the paid order: %s (deleted when the test ends unless go test -artifacts keeps it)", path)
}
