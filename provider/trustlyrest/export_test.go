package trustlyrest

import "time"

// SetNotificationBudget replaces the bound on the API work VerifyNotification does, for
// tests that are not about that bound and must not depend on the machine's speed.
func SetNotificationBudget(c *Client, d time.Duration) { c.notifyBudget = d }
