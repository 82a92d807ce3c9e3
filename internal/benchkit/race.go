//go:build race

package benchkit

// RaceEnabled reports whether the race detector is on. Allocation counts are not stable
// under it (sync.Pool drops entries at random), so allocation budgets are checked
// without it.
const RaceEnabled = true
